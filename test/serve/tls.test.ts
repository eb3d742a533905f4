import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/ports.ts";
import { startRedisServer, type RunningRedisServer } from "../../scripts/lib/redis-server.ts";
import { RespConnection } from "../../scripts/lib/resp.ts";
import { send } from "../support/http.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { eventually, within } from "../support/wait.ts";
import { startServe, type ServeUnderTest } from "./harness.ts";

let dir: string;
let redis: RunningRedisServer;
let upstream: TestUpstream;
let serve: ServeUnderTest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "serve-tls-"));
  // A self-signed certificate, as an operator would make one for a first try.
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
      ...["-subj", "/CN=app.test", "-addext", "subjectAltName=DNS:app.test,IP:127.0.0.1"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
    ],
    { stdio: "ignore" },
  );
  redis = await startRedisServer();
  upstream = await startHttpUpstream((_request, response) => response.end("Hello world!"));
  const connection = new RespConnection({ port: redis.port });
  await connection.send(["SET", "app.test", upstream.address]);
  connection.close();
  const [https, http] = [await freePort(), await freePort()];
  serve = await startServe([
    ...["--redis", `redis://127.0.0.1:${redis.port}`, "--workers", "1"],
    ...["--listen", `127.0.0.1:${https}`, "--listen", `http://127.0.0.1:${http}`],
    ...["--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "key.pem")],
  ]);
}, 120_000);

afterAll(async () => {
  await serve?.kill();
  await upstream?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `curl -k https://…`: a request that accepts any certificate, and the certificate it was shown. */
function insecureGet(url: string, host: string): Promise<{ status: number; body: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host }, rejectUnauthorized: false, agent: false }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, fingerprint }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("serves HTTPS with the certificate given by --tls-cert/--tls-key, and plain HTTP where the address says http://", async () => {
  const [httpsUrl = "", httpUrl = ""] = serve.urls;
  expect(httpsUrl).toMatch(/^https:\/\//);
  expect(httpUrl).toMatch(/^http:\/\//);
  const ours = new X509Certificate(readFileSync(join(dir, "cert.pem"))).fingerprint256;
  await eventually(async () => (await insecureGet(httpsUrl, "app.test").catch(() => null))?.status === 200, 5000);
  const reply = await insecureGet(httpsUrl, "app.test");
  expect(reply).toEqual({ status: 200, body: "Hello world!", fingerprint: ours });
  expect((await send(httpUrl, { host: "app.test" })).text).toBe("Hello world!");
});

it("stops on SIGTERM to the main process only (docker stop): every workerd exits and the exit code is 0", async () => {
  const workerd = serve.pidsNamed("workerd");
  expect(workerd).toHaveLength(1);
  const stat = readFileSync(`/proc/${workerd[0]}/stat`, "utf8");
  const supervisor = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  process.kill(supervisor, "SIGTERM");
  expect(await within(serve.exited, 10_000, "npm run serve still running 10 s after SIGTERM")).toBe(0);
  await eventually(() => serve.groupPids().length === 0, 5000, "processes left behind");
  expect(serve.output()).toContain("serve: stopped");
});
