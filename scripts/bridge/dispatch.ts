/**
 * Which endpoint a request is for: `POST /` (one JSON command), `/pipeline`,
 * `/multi-exec`, the event streams `/subscribe/…` and `/psubscribe/…`, or
 * the path form `GET|POST /COMMAND/arg/…`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { commandName } from "./command.ts";
import type { Answer, Executor } from "./execute.ts";
import { parseJsonBody, pathCommand, pathSegments, readBody, toCommand, toCommands } from "./request.ts";
import type { StatsRecorder } from "./stats.ts";
import type { StreamKind, Streams } from "./stream.ts";

export interface DispatchDeps {
  readonly executor: Executor;
  readonly streams: Streams;
  readonly stats: StatsRecorder;
  readonly maxBodyBytes: number;
  /** Headers every response carries (the sync token). */
  readonly headers: () => Record<string, string>;
}

/** Answers an authorised request: a status and JSON body, or null when an event stream took the response over. */
export type Dispatch = (
  req: IncomingMessage,
  res: ServerResponse,
  rawPath: string,
  query: URLSearchParams,
) => Promise<Answer | null>;

const STREAM_KINDS: Readonly<Record<string, StreamKind>> = { SUBSCRIBE: "SUBSCRIBE", PSUBSCRIBE: "PSUBSCRIBE" };

export function createDispatch({ executor, streams, stats, maxBodyBytes, headers }: DispatchDeps): Dispatch {
  return async (req, res, rawPath, query) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "POST") {
      res.setHeader("Allow", "GET, POST");
      return [405, { error: `Method Not Allowed: ${method}; use GET or POST` }];
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = rawPath.length > 1 ? rawPath.replace(/\/$/, "") : rawPath;
    if (path === "/" || path === "/pipeline" || path === "/multi-exec") {
      if (method !== "POST") {
        res.setHeader("Allow", "POST");
        return path === "/"
          ? [400, { error: "ERR no command: POST a JSON array to / or use /COMMAND/arg/..." }]
          : [405, { error: `Method Not Allowed: ${path} takes a POST with a JSON array of commands` }];
      }
      const body = parseJsonBody(await readBody(req, maxBodyBytes));
      if (path === "/") {
        const command = toCommand(body, "the body");
        stats.record("/", [command]);
        return executor.one(command, res, base64);
      }
      const commands = toCommands(body, path);
      stats.record(path, commands);
      return path === "/pipeline" ? executor.pipeline(commands, res, base64) : executor.transaction(commands, base64);
    }
    const segments = pathSegments(rawPath);
    const kind = STREAM_KINDS[commandName(segments)];
    if (kind) {
      // @upstash/redis POSTs `[]` with Accept: text/event-stream; an EventSource GETs. Both stream.
      stats.record(`/${kind.toLowerCase()}`, [segments]);
      await streams.serve(req, res, kind, segments.slice(1), headers);
      return null;
    }
    const command = pathCommand(
      segments,
      method === "POST" ? await readBody(req, maxBodyBytes) : Buffer.alloc(0),
      query,
    );
    stats.record(`/${commandName(command).toLowerCase()}`, [command]);
    return executor.one(command, res, base64);
  };
}
