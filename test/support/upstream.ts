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

function listen(server: Server | NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}
