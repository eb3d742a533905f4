import { connect } from "node:net";

export interface RawReply {
  /** 0 when the server closed the connection without an answer. */
  readonly status: number;
  /** Everything the server sent, head and body. */
  readonly text: string;
}

/**
 * Writes bytes exactly as given (a whole request, however malformed) on a new
 * connection to `base` and reads until the server closes it (send
 * `Connection: close`). For request shapes that node:http refuses to
 * produce: control characters, absolute-form targets, bad Host bytes,
 * conflicting Content-Length / Transfer-Encoding.
 */
export function rawRequest(base: URL | string, request: string | Buffer, timeoutMs = 10_000): Promise<RawReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(url.port), host: url.hostname }, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // A reset after the answer was written still counts as that answer.
      if (error.code === "ECONNRESET" || error.code === "EPIPE") finish();
      else reject(error);
    });
    socket.on("close", finish);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: status ? Number(status[1]) : 0, text });
    }
  });
}

/** The body of a raw reply, with chunked transfer coding (RFC 9112 §7.1) removed. */
export function rawBody(reply: RawReply): string {
  const split = reply.text.indexOf("\r\n\r\n");
  const head = reply.text.slice(0, split);
  let body = reply.text.slice(split + 4);
  if (!/^transfer-encoding:\s*chunked/im.test(head)) return body;
  let decoded = "";
  for (;;) {
    const lineEnd = body.indexOf("\r\n");
    const size = parseInt(body.slice(0, lineEnd), 16);
    if (!size) return decoded;
    decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
    body = body.slice(lineEnd + 2 + size + 2);
  }
}
