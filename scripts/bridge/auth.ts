/** The bridge's one credential: `Authorization: Bearer <token>` or `?_token=<token>`, as Upstash accepts. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.ts";

function sha256(text: string): Buffer {
  return createHash("sha256").update(Buffer.from(text, "utf8")).digest();
}

/** Throws a 401 HttpError unless the request presents `token`. */
export type Authorise = (req: IncomingMessage, query: URLSearchParams) => void;

export function createAuth(token: string): Authorise {
  if (!token) throw new Error("startBridge: a token is required");
  // Digests have one length, so the comparison takes the same time whatever was presented.
  const expected = sha256(token);
  return (req, query) => {
    const header = req.headers.authorization;
    let presented: string | null = null;
    if (typeof header === "string") {
      const match = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (match) presented = match[1] ?? null;
    }
    presented ??= query.get("_token");
    if (presented === null || !timingSafeEqual(sha256(presented), expected)) {
      // RFC 6750 §3: a 401 names the scheme.
      throw new HttpError(401, "Unauthorized", { "WWW-Authenticate": 'Bearer realm="upstash-bridge"' });
    }
  };
}
