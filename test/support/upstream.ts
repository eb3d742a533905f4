import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";

export interface TestUpstream {
  readonly port: number;
  /** `127.0.0.1:PORT`: a route value for this server. */
  readonly address: string;
  close(): Promise<void>;
}

/** A node:http upstream on loopback with the test's own handler. */
export async function startHttpUpstream(handler: RequestListener): Promise<TestUpstream & { server: Server }> {
  const server = createHttpServer(handler);
  const port = await listen(server);
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
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
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  const port = await listen(server);
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
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
