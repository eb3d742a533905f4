import { spawn } from "node:child_process";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";

/**
 * Upstreams a test controls on loopback. For one that simply answers, use
 * the demo app (scripts/lib/demo-app.ts: `Hello world!` and `/echo`).
 */
export interface TestUpstream {
  readonly port: number;
  /** `127.0.0.1:PORT`: a route value for this server. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A node:http upstream on loopback with the test's own handler. */
export async function startHttpUpstream(handler: RequestListener): Promise<TestUpstream & { server: Server }> {
  const server = createHttpServer(handler);
  let connections = 0;
  server.on("connection", () => connections++);
  const port = await listen(server);
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A raw TCP upstream: the handler gets each connection's socket, for answers
 * node:http would not produce (never answering, closing at once, resets).
 */
export async function startTcpUpstream(onConnection: (socket: Socket) => void): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  const port = await listen(server);
  return {
    port,
    address: `127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts each connection and resets it at once: a backend that is down, but countable. */
export function startResettingBackend(): Promise<TestUpstream> {
  return startTcpUpstream((socket) => socket.resetAndDestroy());
}

/** Accepts requests and never answers: a backend that times out. */
export function startSilentBackend(): Promise<TestUpstream> {
  return startHttpUpstream(() => {
    // Never answered.
  });
}

export interface UpstreamProcess {
  /** `127.0.0.1:PORT` */
  readonly address: string;
  /** Requests that have arrived and not been answered yet, as the process reports them. */
  readonly inFlight: number;
  /** SIGKILL, and wait for the process to be gone: its connections are closed by the kernel. */
  kill(): Promise<void>;
}

/**
 * The body of the upstream process: answers every request like the demo
 * app's `Hello world!` (X-App names it), `delayMs` after it has read the
 * request, and reports each arrival (`+`) and answer (`-`) on stdout.
 */
const UPSTREAM_PROCESS = `
const http = require("node:http");
const [name, delayMs] = process.argv.slice(1);
const server = http.createServer((request, response) => {
  process.stdout.write("+");
  request.resume();
  request.on("end", () => setTimeout(() => {
    response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-app": name });
    response.end(request.method === "HEAD" ? undefined : "Hello world! I am " + name + ".\\n");
    process.stdout.write("-");
  }, Number(delayMs)));
});
server.listen(0, "127.0.0.1", () => process.stdout.write("port " + server.address().port + "\\n"));
`;

/**
 * An upstream in a process of its own, so a test can kill it as a crash
 * would: requests it holds are cut off mid-flight, new connections are
 * refused.
 */
export async function startUpstreamProcess(options: { name: string; delayMs: number }): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, ["-e", UPSTREAM_PROCESS, options.name, String(options.delayMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^port (\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`upstream process exited (${code ?? "signal"}) before listening`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    get inFlight() {
      const events = out.slice(out.indexOf("\n") + 1);
      return events.split("+").length - events.split("-").length;
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}
