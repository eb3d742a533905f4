/** Upstreams that fail in controlled ways, for the routes tests. */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";

export interface FailingBackend {
  /** `127.0.0.1:PORT` */
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Accepts each connection and resets it at once: a backend that is down, but countable. */
export async function startResettingBackend(): Promise<FailingBackend> {
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    socket.resetAndDestroy();
  });
  return listen(server, () => connections, []);
}

/** Accepts requests and never answers: a backend that times out. */
export async function startSilentBackend(): Promise<FailingBackend> {
  let connections = 0;
  const sockets: Socket[] = [];
  const server = createHttpServer(() => {
    // Never answered.
  });
  server.on("connection", (socket: Socket) => {
    connections++;
    sockets.push(socket);
  });
  return listen(server, () => connections, sockets);
}

async function listen(server: TcpServer | HttpServer, count: () => number, sockets: Socket[]): Promise<FailingBackend> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    address: `127.0.0.1:${port}`,
    get connections() {
      return count();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A key prefix no other test file uses, so wildcard and catch-all keys stay private to one router. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${Math.random().toString(36).slice(2, 8)}:`;
}
