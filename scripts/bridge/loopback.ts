/**
 * Where the bridge may listen. Its one token gives full access to Redis and
 * travels in clear (plain HTTP, and `?_token=` puts it in URLs), so it binds
 * loopback unless the operator says, with `--allow-remote`, that the network
 * in between is trusted.
 */
import { isIP } from "node:net";

/** Whether `host` names only this machine: 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or "localhost". */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(bare);
  return false;
}

/** Refuses a non-loopback `host` unless `allowRemote`; the message names the flag that allows it. */
export function checkListenHost(host: string, allowRemote: boolean): void {
  if (allowRemote || isLoopbackHost(host)) return;
  throw new RemoteListenError(host);
}

/** Thrown by startBridge before it listens; the command line turns it into exit status 2. */
export class RemoteListenError extends Error {
  constructor(host: string) {
    super(
      `refusing to listen on ${host}: not a loopback address. The bridge's token gives full access to Redis ` +
        "and travels over plain HTTP; pass --allow-remote (allowRemote: true) if the network is trusted",
    );
  }
}
