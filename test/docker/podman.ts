import { execFile } from "node:child_process";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { eventually } from "../support/wait.ts";

const run = promisify(execFile);

/**
 * A real container engine for the agent's tests: Podman's Docker-compatible
 * API service, with storage, run state and network settings of its own in a
 * temporary directory (nothing shared with any other Podman on the machine),
 * a test-owned bridge network on a random 10.89.x.0/24 (the only addresses
 * the tests send traffic to besides loopback), and a tiny image built
 * FROM scratch around Debian's static busybox (no registry is reachable).
 */
export interface Podman {
  /** unix:///…/api.sock: what the agent gets as --docker. */
  readonly url: string;
  readonly network: string;
  readonly image: string;
  /** `podman …` with this instance's settings; resolves with stdout. */
  cli(...args: string[]): Promise<string>;
  /** Starts a container of the busybox image serving /www/index.html = `name`; its id. */
  runContainer(
    name: string,
    options?: { labels?: Record<string, string>; env?: Record<string, string>; flags?: string[] },
  ): Promise<string>;
  /** The container's address on the test network. */
  address(name: string): Promise<string>;
  /** Stops the API service (the engine going away; the CLI still works), and starts it again on the same socket. */
  stopService(): Promise<void>;
  startService(): Promise<void>;
  close(): Promise<void>;
}

/** In these VMs: runc, cgroupfs (no systemd to delegate cgroups), and limits the VM allows. */
const RUNTIME = ["--runtime", "runc", "--cgroup-manager=cgroupfs"];
const LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

export async function startPodman(): Promise<Podman> {
  const dir = mkdtempSync(join(tmpdir(), "router-podman-"));
  const tag = Math.random().toString(36).slice(2, 8);
  const network = `rtest-${tag}`;
  const base = [
    ...["--root", join(dir, "root"), "--runroot", join(dir, "run")],
    ...["--network-config-dir", join(dir, "net"), ...RUNTIME],
  ];
  const cli = async (...args: string[]) => (await run("podman", [...base, ...args], { timeout: 120_000 })).stdout;
  const socket = join(dir, "api.sock");
  let service: ChildProcess | undefined;
  const startService = async () => {
    rmSync(socket, { force: true });
    const child = spawn("podman", [...base, "system", "service", "--time=0", `unix://${socket}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    service = child;
    let serviceLog = "";
    child.stderr?.on("data", (chunk: Buffer) => (serviceLog += chunk.toString()));
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`podman system service exited:\n${serviceLog}`);
        return existsSync(socket);
      },
      30_000,
      "podman's API socket did not appear",
    );
  };
  const stopService = async () => {
    const child = service;
    if (child?.exitCode !== null || child === undefined) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  const close = async () => {
    await cli("rm", "--force", "--all", "--time", "0").catch(() => undefined);
    await cli("network", "rm", "--force", network).catch(() => undefined);
    await cli("rmi", "--all", "--force").catch(() => undefined);
    await stopService();
    // host-local IPAM keeps its leases under the network's name, outside --root.
    rmSync(join("/var/lib/cni/networks", network), { recursive: true, force: true });
    await run("podman", [...base, "system", "reset", "--force"]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const context = join(dir, "image");
    mkdirSync(join(context, "bin"), { recursive: true });
    copyFileSync("/bin/busybox", join(context, "bin", "busybox"));
    writeFileSync(
      join(context, "Containerfile"),
      [
        "FROM scratch",
        "COPY bin/busybox /bin/busybox",
        "EXPOSE 8000",
        // busybox as PID 1 ignores SIGTERM; stops are immediate anyway (podman stop -t 0).
        'CMD ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /www && echo \\"$PAGE\\" > /www/index.html && exec /bin/busybox httpd -f -p 8000 -h /www"]',
        "",
      ].join("\n"),
    );
    const image = `localhost/router-busybox-httpd:${tag}`;
    await cli("build", "--quiet", "--tag", image, context);
    // The subnet: random, and checked against the host's routes so no real network is shadowed.
    const routes = (await run("ip", ["-4", "route"])).stdout;
    let subnet = "";
    for (let i = 0; i < 20 && subnet === ""; i++) {
      const candidate = `10.89.${Math.floor(Math.random() * 254) + 1}.`;
      if (!routes.includes(candidate)) subnet = `${candidate}0/24`;
    }
    await cli("network", "create", "--disable-dns", "--subnet", subnet, network);
    // Podman 4 on CNI names bridges cni-podmanN in order; a name of this test's own cannot collide,
    // and no masquerading: the containers reach nothing beyond the bridge.
    const config = join(dir, "net", `${network}.conflist`);
    if (existsSync(config)) {
      writeFileSync(
        config,
        readFileSync(config, "utf8")
          .replace(/"bridge": "cni-podman\d+"/, `"bridge": "rt${tag}"`)
          .replace('"ipMasq": true', '"ipMasq": false'),
      );
    }
    await startService();
    return {
      url: `unix://${socket}`,
      network,
      image,
      cli,
      async runContainer(name, options = {}) {
        const flags = [
          ...Object.entries(options.labels ?? {}).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
          ...Object.entries({ PAGE: name, ...options.env }).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
          ...(options.flags ?? []),
        ];
        return (await cli("run", "--detach", "--name", name, "--network", network, ...LIMITS, ...flags, image)).trim();
      },
      async address(name) {
        return (
          await cli("inspect", name, "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`)
        ).trim();
      },
      stopService,
      startService,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
