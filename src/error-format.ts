export type ErrorFormat = "json" | "html" | "text";

interface FormatSpec {
  readonly format: ErrorFormat;
  readonly type: string;
  readonly subtype: (subtype: string) => boolean;
}

/** In order of preference when Accept cannot tell them apart (`*∕*`). */
const FORMATS: readonly FormatSpec[] = [
  { format: "text", type: "text", subtype: (s) => s === "plain" },
  { format: "html", type: "text", subtype: (s) => s === "html" },
  // application/problem+json (RFC 9457) and other +json types count as JSON.
  { format: "json", type: "application", subtype: (s) => s === "json" || s.endsWith("+json") },
];

interface Range {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

interface Match {
  readonly q: number;
  /** 2 exact, 1 `type/*`, 0 `*∕*`. */
  readonly specificity: number;
  readonly position: number;
}

/**
 * Picks the error body's format from Accept (RFC 9110 §12.5.1): each format
 * takes the q of the most specific range that matches it; the highest q
 * wins, then an explicit range over a wildcard, then the range the client
 * listed first. No Accept or `*∕*` alone (curl) gives plain text; a browser's
 * `text/html,…,*∕*;q=0.8` gives HTML; `application/json` gives JSON.
 */
export function errorFormat(accept: string | null): ErrorFormat {
  if (accept === null) return "text";
  const ranges = parseAccept(accept);
  let best: (Match & { format: ErrorFormat }) | null = null;
  for (const spec of FORMATS) {
    const match = bestMatch(ranges, spec);
    if (match === null || match.q <= 0) continue;
    if (best === null || better(match, best)) best = { ...match, format: spec.format };
  }
  return best?.format ?? "text";
}

function better(a: Match, b: Match): boolean {
  if (a.q !== b.q) return a.q > b.q;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  return a.position < b.position;
}

function bestMatch(ranges: readonly Range[], spec: FormatSpec): Match | null {
  let match: Match | null = null;
  ranges.forEach((range, position) => {
    const specificity = rangeSpecificity(range, spec);
    if (specificity >= 0 && (match === null || specificity > match.specificity)) {
      match = { q: range.q, specificity, position };
    }
  });
  return match;
}

function rangeSpecificity(range: Range, spec: FormatSpec): number {
  if (range.type === "*") return range.subtype === "*" ? 0 : -1;
  if (range.type !== spec.type) return -1;
  if (range.subtype === "*") return 1;
  return spec.subtype(range.subtype) ? 2 : -1;
}

function parseAccept(accept: string): Range[] {
  const ranges: Range[] = [];
  for (const element of accept.split(",")) {
    const [mediaRange = "", ...params] = element.split(";");
    const [type = "", subtype = ""] = mediaRange.trim().toLowerCase().split("/");
    if (type === "" || subtype === "") continue;
    let q = 1;
    for (const param of params) {
      const [name = "", value = ""] = param.split("=");
      if (name.trim().toLowerCase() !== "q") continue;
      const parsed = Number(value.trim());
      if (Number.isFinite(parsed)) q = Math.min(Math.max(parsed, 0), 1);
    }
    ranges.push({ type, subtype: subtype.trim(), q });
  }
  return ranges;
}
