/** The client's body on its way to the upstream, watched. */
export interface Upload {
  /** What fetch() sends; it keeps the client's Content-Length when there is one. */
  readonly body: ReadableStream<Uint8Array>;
  /**
   * For fetch(): aborted `timeoutMs` after the last byte was sent with no
   * answer yet, or when the upstream took nothing for `timeoutMs` while a
   * chunk was waiting (it stopped reading).
   */
  readonly signal: AbortSignal;
  /** True once the client's own stream failed: it aborted the upload or its connection dropped. */
  readonly clientFailed: boolean;
  /** The upstream answered: stop both timers, but let the body finish (it may still be read). */
  answered(): void;
  /** The attempt failed: stop sending. */
  stop(): void;
}

/**
 * Pumps the client's body into the stream fetch() sends, chunk by chunk, so
 * that the router knows what neither fetch() nor a pipe tells it:
 * - when the body has all been sent: the response-header timeout starts
 *   then, as nginx's proxy_read_timeout does, so a slow upload is never
 *   counted against the upstream (only an upload needs these timers: any
 *   other request's timeout starts with fetch(), forward.ts);
 * - whether a failure came from the client (its stream errored: it aborted
 *   or went away) rather than from the upstream, which must then not be
 *   marked down;
 * - whether the upstream stopped reading (nginx's proxy_send_timeout: no
 *   progress for `stallMs` while a chunk waits).
 *
 * FixedLengthStream keeps the Content-Length the client sent; a chunked
 * upload stays chunked (IdentityTransformStream). Both hand a chunk on only
 * when fetch() reads it, so a pending write means the upstream is not taking
 * the body, and a pending read means the client is slow.
 */
export function watchUpload(source: ReadableStream<Uint8Array>, length: number | null, timeoutMs: number): Upload {
  const { readable, writable } = length === null ? new IdentityTransformStream() : new FixedLengthStream(length);
  const reader = source.getReader();
  const writer = writable.getWriter();
  const timeout = new AbortController();
  let clientFailed = false;
  let finished = false;
  let answered = false;
  let writing = false;
  let writes = 0;
  let writesAtLastCheck = -1;
  let headerTimer: ReturnType<typeof setTimeout> | null = null;
  const watchdog = setInterval(() => {
    if (writing && writes === writesAtLastCheck) timeout.abort();
    writesAtLastCheck = writes;
  }, timeoutMs);
  const finish = () => {
    finished = true;
    clearInterval(watchdog);
  };
  const onSent = () => {
    // Never once the upstream has answered: the client's body may still be on its way.
    if (!answered) headerTimer = setTimeout(() => timeout.abort(), timeoutMs);
  };

  void (async () => {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (!finished) clientFailed = true;
        finish();
        await writer.abort(error).catch(() => undefined);
        return;
      }
      try {
        if (chunk.done) {
          if (finished) return;
          await writer.close();
          finish();
          onSent();
          return;
        }
        writing = true;
        await writer.write(chunk.value);
        writing = false;
        writes++;
      } catch {
        // fetch() stopped reading: the attempt is over, whatever the reason.
        finish();
        await reader.cancel().catch(() => undefined);
        return;
      }
    }
  })();

  const settle = () => {
    answered = true;
    clearInterval(watchdog);
    clearTimeout(headerTimer);
  };
  return {
    body: readable,
    signal: timeout.signal,
    get clientFailed() {
      return clientFailed;
    },
    answered: settle,
    stop() {
      settle();
      if (finished) return;
      finish();
      void reader.cancel().catch(() => undefined);
      void writer.abort().catch(() => undefined);
    },
  };
}

/** The body's announced length, or null when it is chunked (or unreadable). */
export function announcedLength(headers: Headers): number | null {
  if (headers.has("transfer-encoding")) return null;
  const raw = headers.get("content-length")?.trim();
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}
