import { connect } from "node:net";

/**
 * Writes `request` byte for byte on a fresh connection and returns all that
 * comes back until the server closes it (send `Connection: close`). For
 * request lines no HTTP client would write: absolute-form targets, bad Host
 * bytes, CL+TE smuggling shapes.
 */
export function rawRequest(base: URL | string, request: string | Buffer, timeoutMs = 10_000): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no close within ${timeoutMs} ms`)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

/** The status code of the first response in a raw reply. */
export function rawStatus(reply: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
}
