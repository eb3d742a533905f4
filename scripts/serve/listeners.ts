import { Worker } from "node:worker_threads";
import type { ListenAddress } from "./options.ts";

export interface SharedListeners {
  /** One listening socket descriptor per address, in order, valid in this process. */
  readonly fds: readonly number[];
  /** The ports bound (the one asked for, or the one picked for port 0). */
  readonly ports: readonly number[];
  /** Closes this process's copies; the sockets live on in children still holding them. */
  close(): Promise<void>;
}

/**
 * Runs in a thread of its own: binds and listens on every address, reports the
 * descriptors, then blocks for good. Its event loop never runs again, so it
 * never accepts a connection itself: every connection goes to the workerd
 * processes that got the descriptor (`--socket-fd`). A listener opened on the
 * main thread would take its share of connections in Node instead.
 */
const HOLDER = `
const { parentPort, workerData } = require("node:worker_threads");
const net = require("node:net");
const servers = workerData.addresses.map(() => net.createServer());
let pending = servers.length;
servers.forEach((server, index) => {
  const { host, port } = workerData.addresses[index];
  server.once("error", (error) => {
    parentPort.postMessage({ error: host + ":" + port + ": " + error.message });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
  server.listen({ host, port, backlog: 4096 }, () => {
    if (--pending > 0) return;
    parentPort.postMessage({
      fds: servers.map((s) => s._handle.fd),
      ports: servers.map((s) => s.address().port),
    });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
});
`;

type HolderMessage = { fds: number[]; ports: number[] } | { error: string };

/** Opens one listening socket per address, to be shared by every workerd process. */
export async function openSharedListeners(addresses: readonly ListenAddress[]): Promise<SharedListeners> {
  const holder = new Worker(HOLDER, {
    eval: true,
    workerData: { addresses: addresses.map(({ host, port }) => ({ host, port })) },
  });
  holder.unref();
  const message = await new Promise<HolderMessage>((resolve, reject) => {
    holder.once("message", resolve);
    holder.once("error", reject);
  });
  if ("error" in message) {
    await holder.terminate();
    throw new Error(`cannot listen on ${message.error}`);
  }
  return {
    fds: message.fds,
    ports: message.ports,
    // Terminating the thread closes its handles, and with them these descriptors.
    close: async () => void (await holder.terminate()),
  };
}
