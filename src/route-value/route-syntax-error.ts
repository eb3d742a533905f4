import { clip } from "../lib/clip.ts";

/** A value that is not a valid route; the message says what is wrong. */
export class RouteSyntaxError extends Error {
  constructor(message: string) {
    super(clip(message));
  }
}
