/**
 * Pub/sub as server-sent events (`/subscribe/<channel>…`,
 * `/psubscribe/<pattern>…`): one dedicated Redis connection per stream, every
 * subscribe-mode reply forwarded in order as an event (sse.ts). The response
 * starts only once Redis confirmed the first subscription, so a refusal is an
 * ordinary JSON error. The stream ends, and its Redis connection is closed,
 * when the client goes away, when the client reads too slowly (a bounded
 * buffer), when Redis drops the connection, or when the bridge shuts down
 * (after forwarding the `unsubscribe` events).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { RedisConnectionError, RespError, RespSubscriber, type RespReply } from "../lib/resp.ts";
import { HttpError } from "./errors.ts";
import { isLastUnsubscribe, sseComment, sseEvent } from "./sse.ts";

export type StreamKind = "SUBSCRIBE" | "PSUBSCRIBE";

/** What CLIENT LIST shows as the name of a stream's Redis connection. */
export const STREAM_CLIENT_NAME = "upstash-bridge-stream";

export interface StreamSettings {
  readonly redisPort: number;
  readonly redisHost: string;
  readonly connectTimeoutMs: number;
  /** How long Redis may take to confirm the subscription → 503. */
  readonly confirmTimeoutMs: number;
  /** Open streams at most; one more is a 503. */
  readonly maxStreams: number;
  /** A comment line this often, so idle streams survive proxies and dead clients are noticed. */
  readonly heartbeatMs: number;
  /** Events a slow client has not read yet, in bytes, before its stream is dropped. */
  readonly maxBufferedBytes: number;
}

export interface Streams {
  /** Serves one stream; resolves once it runs (or throws an HttpError / RedisConnectionError before any byte is sent). */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    kind: StreamKind,
    targets: Buffer[],
    headers: () => Record<string, string>,
  ): Promise<void>;
  /** Streams open now. */
  readonly size: number;
  /** Unsubscribes every stream, forwards the confirmations and ends it; gives up waiting after `graceMs`. */
  closeAll(graceMs: number): Promise<void>;
}

type State = "confirming" | "open" | "ending" | "done";

class EventStream {
  private state: State = "confirming";
  private readonly early: RespReply[] = [];
  private confirmed: (reply: RespReply | Error) => void = () => undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly subscriber: RespSubscriber;
  private readonly res: ServerResponse;
  private readonly settings: StreamSettings;
  private readonly kind: StreamKind;
  private readonly onDone: () => void;
  private resolveEnded: () => void = () => undefined;
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(res: ServerResponse, settings: StreamSettings, kind: StreamKind, onDone: () => void) {
    this.res = res;
    this.settings = settings;
    this.kind = kind;
    this.onDone = onDone;
    this.subscriber = new RespSubscriber({
      port: settings.redisPort,
      host: settings.redisHost,
      connectTimeoutMs: settings.connectTimeoutMs,
      name: STREAM_CLIENT_NAME,
      onReply: (reply) => this.receive(reply),
      onClose: (error) => this.lost(error),
    });
    res.once("close", () => this.finish());
  }

  async start(targets: Buffer[], headers: () => Record<string, string>): Promise<void> {
    const confirmation = new Promise<RespReply | Error>((resolve) => (this.confirmed = resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Error>((resolve) => {
      const ms = this.settings.confirmTimeoutMs;
      timer = setTimeout(() => resolve(new RedisConnectionError(`no reply from redis within ${ms} ms`)), ms);
    });
    try {
      await this.subscriber.open([[this.kind, ...targets]]);
      const first = await Promise.race([confirmation, timeout]);
      if (first instanceof RespError) throw new HttpError(400, first.message);
      if (first instanceof Error) throw first;
    } catch (error) {
      this.finish();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    if (this.state === "done") return; // the client left while Redis was confirming
    this.res.writeHead(200, {
      ...headers(),
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    });
    this.state = "open";
    for (const reply of this.early.splice(0)) this.receive(reply);
    this.heartbeat = setInterval(() => this.write(sseComment("keep-alive")), this.settings.heartbeatMs);
  }

  /** Bridge shutdown: UNSUBSCRIBE, forward the confirmations, end after the last one (or the grace period). */
  shutdown(graceMs: number): Promise<void> {
    if (this.state !== "open") {
      this.finish();
      return this.ended;
    }
    this.state = "ending";
    this.subscriber.send([[this.kind === "SUBSCRIBE" ? "UNSUBSCRIBE" : "PUNSUBSCRIBE"]]);
    setTimeout(() => this.finish(), graceMs).unref();
    return this.ended;
  }

  private receive(reply: RespReply): void {
    if (this.state === "confirming") {
      this.early.push(reply);
      if (this.early.length === 1) this.confirmed(reply);
      return;
    }
    if (this.state === "done") return;
    this.write(sseEvent(reply));
    if (reply instanceof RespError || (this.state === "ending" && isLastUnsubscribe(reply))) this.finish();
  }

  private lost(error: RedisConnectionError | null): void {
    if (this.state === "done") return;
    if (this.state === "confirming") this.confirmed(error ?? new RedisConnectionError("redis connection closed"));
    else if (error) this.write(sseComment(error.message));
    this.finish();
  }

  private write(text: string): void {
    if (this.state === "done" || !this.res.writable) return;
    this.res.write(text);
    // A client that stops reading must not make the bridge buffer without bound.
    if (this.res.writableLength > this.settings.maxBufferedBytes) {
      this.res.destroy();
      this.finish();
    }
  }

  private finish(): void {
    if (this.state === "done") return;
    const wasOpen = this.state !== "confirming";
    this.state = "done";
    if (!wasOpen) this.confirmed(new RedisConnectionError("the stream ended before redis confirmed it"));
    clearInterval(this.heartbeat);
    this.subscriber.close();
    if (wasOpen && !this.res.writableEnded && !this.res.destroyed) this.res.end();
    this.onDone();
    this.resolveEnded();
  }
}

export function createStreams(settings: StreamSettings): Streams {
  const live = new Set<EventStream>();
  return {
    async serve(req, res, kind, targets, headers) {
      const what = kind === "SUBSCRIBE" ? "channel" : "pattern";
      if (targets.length === 0)
        throw new HttpError(400, `ERR ${kind} needs a ${what}: /${kind.toLowerCase()}/<${what}>`);
      if (live.size >= settings.maxStreams) {
        throw new HttpError(503, `ERR too many open streams (${settings.maxStreams}); try again later`, {
          "Retry-After": "1",
        });
      }
      req.resume(); // a body (the client sends `[]`) means nothing here
      const stream: EventStream = new EventStream(res, settings, kind, () => live.delete(stream));
      live.add(stream);
      await stream.start(targets, headers);
    },
    get size() {
      return live.size;
    },
    async closeAll(graceMs) {
      await Promise.all([...live].map((stream) => stream.shutdown(graceMs)));
    },
  };
}
