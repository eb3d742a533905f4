/**
 * Where to go after logging in: a path on this host only. Not `//evil.example`
 * nor `/\evil.example`, and no white space or control character anywhere:
 * URL parsers drop tabs and newlines (WHATWG URL), so `/<TAB>/evil.example`
 * would become `//evil.example` in the browser.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !/^\/(?![/\\])\S*$/.test(next)) return "/";
  for (let i = 0; i < next.length; i++) if (next.charCodeAt(i) < 0x20 || next.charCodeAt(i) === 0x7f) return "/";
  return next;
}
