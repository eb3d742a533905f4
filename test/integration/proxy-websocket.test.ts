import type { IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { routesClient, startRouter, uniqueHost, type RouterUnderTest } from "../support/stack.ts";
import { startHttpUpstream, type TestUpstream } from "../support/upstream.ts";
import { within } from "../support/wait.ts";

const redis = routesClient();
let router: RouterUnderTest;
let upstream: TestUpstream;
let wss: WebSocketServer;
/** What the upstream saw of each handshake, and the close codes clients sent it. */
const handshakes: { url: string; headers: IncomingHttpHeaders }[] = [];
const closesFromClients: { code: number; reason: string }[] = [];

beforeAll(async () => {
  const http = await startHttpUpstream((_request, response) => response.writeHead(426).end("WebSocket only"));
  upstream = http;
  wss = new WebSocketServer({
    server: http.server,
    handleProtocols: (protocols) => (protocols.has("chat.v1") ? "chat.v1" : false),
  });
  wss.on("connection", (socket, request) => {
    handshakes.push({ url: request.url ?? "", headers: request.headers });
    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary && data.toString() === "close-me") socket.close(4001, "bye from upstream");
      else socket.send(data, { binary: isBinary });
    });
    socket.on("close", (code, reason) => closesFromClients.push({ code, reason: reason.toString() }));
  });
  router = await startRouter();
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  await Promise.all([router.dispose(), upstream.close()]);
});

/** A WebSocket client through the router, with the routed host as Host. */
async function connect(host: string, path = "/chat"): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${router.port}${path}`, ["chat.v1"], { headers: { host } });
  await within(
    new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`handshake answered ${response.statusCode}`)),
      );
    }),
    10_000,
    "the WebSocket handshake did not complete",
  );
  return socket;
}

function nextMessage(socket: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return within(
    new Promise((resolve) => socket.once("message", (data: Buffer, isBinary: boolean) => resolve({ data, isBinary }))),
    10_000,
    "no message came back",
  );
}

function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return within(
    new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }))),
    10_000,
    "the WebSocket did not close",
  );
}

describe("WebSocket passthrough", () => {
  it("upgrades through the router: the upstream sees the handshake, path and subprotocol", async () => {
    const host = uniqueHost("ws");
    await redis.set(host, upstream.address);
    const socket = await connect(host, "/chat?room=7");
    expect(socket.protocol).toBe("chat.v1");
    const handshake = handshakes.at(-1);
    expect(handshake?.url).toBe("/chat?room=7");
    expect(handshake?.headers.upgrade?.toLowerCase()).toBe("websocket");
    expect(handshake?.headers["x-forwarded-host"]).toBe(host);
    socket.close();
    await closed(socket);
  });

  it("carries text and binary messages both ways", async () => {
    const host = uniqueHost("ws-msg");
    await redis.set(host, upstream.address);
    const socket = await connect(host);
    socket.send("hello ✓");
    const text = await nextMessage(socket);
    expect([text.isBinary, text.data.toString()]).toEqual([false, "hello ✓"]);
    const bytes = Buffer.from([0, 1, 2, 253, 254, 255, ...Buffer.alloc(70_000, 7)]);
    socket.send(bytes);
    const binary = await nextMessage(socket);
    expect(binary.isBinary).toBe(true);
    expect(Buffer.compare(binary.data, bytes)).toBe(0);
    socket.close();
    await closed(socket);
  });

  it("passes the upstream's close code and reason to the client", async () => {
    const host = uniqueHost("ws-close");
    await redis.set(host, upstream.address);
    const socket = await connect(host);
    const closing = closed(socket);
    socket.send("close-me");
    expect(await closing).toEqual({ code: 4001, reason: "bye from upstream" });
  });

  it("passes the client's close code and reason to the upstream", async () => {
    const host = uniqueHost("ws-cclose");
    await redis.set(host, upstream.address);
    const socket = await connect(host);
    const before = closesFromClients.length;
    socket.close(4002, "bye from client");
    await closed(socket);
    await within(
      (async () => {
        while (closesFromClients.length === before) await new Promise((r) => setTimeout(r, 10));
      })(),
      10_000,
      "the upstream never saw the close",
    );
    expect(closesFromClients.at(-1)).toEqual({ code: 4002, reason: "bye from client" });
  });
});
