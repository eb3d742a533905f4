/**
 * Whether a `Forwarded` header value (RFC 7239 §4) is well formed: elements
 * separated by `,`, each of `token=value` pairs separated by `;`, a value
 * being a token or a quoted-string (RFC 9110 §5.6.2, §5.6.4).
 *
 * The router appends its own element to what the client sent, and says the
 * last element is the one it vouches for. That holds only when the client's
 * part ends where it seems to: `for="198.51.100.1` (an unterminated quote)
 * would swallow the router's element into the client's quoted-string, and
 * an upstream reading the last element would get the client's claim. So a
 * value that is not well formed is dropped, not kept in front.
 *
 * A scan, one step per pair or separator, so a long value costs linear time.
 */
const STEP =
  /[ \t]*(?:[;,]|([!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*")))/y;
const TRAILING_SPACE = /^[ \t]*$/;

export function wellFormedForwarded(value: string): boolean {
  STEP.lastIndex = 0;
  let afterPair = false;
  while (STEP.lastIndex < value.length) {
    const at = STEP.lastIndex;
    const step = STEP.exec(value);
    if (!step) return TRAILING_SPACE.test(value.slice(at));
    // Two pairs with only space between them are not one list.
    if (step[1] !== undefined && afterPair) return false;
    afterPair = step[1] !== undefined;
  }
  return true;
}
