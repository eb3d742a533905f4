import { createConnection, createServer, type Socket } from "node:net";

export interface Gate {
  /** `http://127.0.0.1:PORT`: use it where the target's URL would go. */
  readonly url: string;
  /** Bytes from clients waiting while the gate is held. */
  readonly heldBytes: number;
  /** From now on, client bytes are kept back (connections stay open). */
  hold(): void;
  /** Sends everything kept back and lets traffic through again. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay to 127.0.0.1:targetPort that can hold traffic: while held, a
 * request reaches the gate but not the target, so a test can make a lookup
 * last exactly as long as it needs, then let it finish.
 */
export async function startGate(targetPort: number): Promise<Gate> {
  let held = false;
  let heldBytes = 0;
  const waiting: Array<{ chunk: Buffer; target: Socket }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = createConnection({ port: targetPort, host: "127.0.0.1" });
    sockets.add(client).add(target);
    client.on("data", (chunk: Buffer) => {
      if (held) {
        heldBytes += chunk.length;
        waiting.push({ chunk, target });
      } else {
        target.write(chunk);
      }
    });
    target.on("data", (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on("close", end).on("error", end);
    target.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get heldBytes() {
      return heldBytes;
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const { chunk, target } of waiting.splice(0)) target.write(chunk);
      heldBytes = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
