import type { Socket } from "node:net";
import type { RespParser } from "./parser.ts";
import type { RespReply } from "./reply.ts";

/**
 * The replies completed by one chunk off `socket`. Bytes that are not RESP
 * leave the stream unreadable from then on, so the socket is destroyed with a
 * "protocol error" (its owner's close handler reports it) and null returned.
 */
export function readReplies(parser: RespParser, socket: Socket, chunk: Buffer): RespReply[] | null {
  try {
    return parser.push(chunk);
  } catch (error) {
    socket.destroy(new Error(`protocol error: ${(error as Error).message}`));
    return null;
  }
}
