/*
 * What the dashboard never shows: basicAuth password hashes (a PBKDF2 hash
 * at 10,000 iterations is crackable offline) and header values a route sets
 * (an upstream's `Authorization`, an API key). Names stay, so a reader still
 * sees which users and which headers a route has; values become REDACTED.
 * Applied to the stored value as well as to the parsed route, on every page
 * and in /api.
 */

export const REDACTED = "•••";

const HEADER_FIELDS = new Set(["requestHeaders", "responseHeaders"]);
/** A PHC PBKDF2 hash as `routes passwd` writes it, or any other `$scheme$…` hash a value might hold by mistake. */
const HASH = /\$(?:pbkdf2-sha256|2[abxy]?|apr1|1|5|6)\$[^\s"',}\]]*/g;

/** The stored value with hashes and header values redacted; Hipache lists hold neither. */
export function redactStored(raw: string | readonly string[] | null): string | readonly string[] | null {
  if (raw === null || typeof raw !== "string") return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return redactText(raw);
  }
  if (typeof parsed !== "object" || parsed === null) return redactText(raw);
  // Text that parses may still say more than the walk knows of: the hash pattern is applied after it.
  return redactText(JSON.stringify(redactJson(parsed)));
}

/** A JSON route value, walked: `basicAuth.users` keep their names, header objects their names. */
function redactJson(value: unknown, field = ""): unknown {
  if (Array.isArray(value)) {
    if (field === "users") return value.map((line) => (typeof line === "string" ? userName(line) : REDACTED));
    return value.map((item) => redactJson(item));
  }
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    if (HEADER_FIELDS.has(name) && typeof item === "object" && item !== null && !Array.isArray(item)) {
      out[name] = Object.fromEntries(
        Object.entries(item).map(([header, headerValue]) => [header, headerValue === null ? null : REDACTED]),
      );
    } else if (HEADER_FIELDS.has(name)) {
      // Not the object the parser wants (a string, a list of pairs): invalid, but it may still hold a secret.
      out[name] = item === null ? null : REDACTED;
    } else out[name] = redactJson(item, name);
  }
  return out;
}

/** `alice:$pbkdf2…` → `alice:•••`. */
function userName(line: string): string {
  const colon = line.indexOf(":");
  return colon === -1 ? REDACTED : `${line.slice(0, colon)}:${REDACTED}`;
}

/**
 * Text that is not JSON (an invalid value shown as stored): hashes go, and
 * so does every string inside a header object, which a regular expression
 * can find even in JSON too broken to parse.
 */
function redactText(text: string): string {
  const hashless = text.replace(HASH, REDACTED);
  const field = /"(?:request|response)Headers"/.exec(hashless);
  if (!field) return hashless;
  // Broken JSON has no reliable end to the header object (a value may hold "}"), so from the first header
  // field on, every string that is not a key is redacted, an unterminated one included.
  const tail = hashless.slice(field.index + field[0].length);
  const redacted = tail.replace(/"(?:\\.|[^"\\])*("?)/g, (string: string, closed: string, at: number) =>
    closed && /^\s*:/.test(tail.slice(at + string.length)) ? string : `"${REDACTED}"`,
  );
  return hashless.slice(0, field.index + field[0].length) + redacted;
}
