import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serveBindings, type RouteStoreSettings } from "./bindings.ts";
import { buildBundle } from "./build.ts";
import { readEnvFile } from "./env-file.ts";
import type { ServeOptions } from "./options.ts";
import type { Launch } from "./workerd-process.ts";
import { workerdConfig, type WorkerdSocket } from "./workerd-config.ts";

/**
 * Everything a generation of workerd processes is started from, read afresh
 * (at start and on SIGHUP): the bundle as `wrangler deploy` builds it, the env
 * file over which the environment wins, the certificate files. The config
 * holds the store's token, so it is written readable by us only.
 */
export async function prepareLaunch(
  options: ServeOptions,
  store: RouteStoreSettings,
  fds: readonly number[],
  dir: string,
): Promise<Launch> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const env = { ...(options.envFile ? readEnvFile(options.envFile) : {}), ...process.env };
  const bundle = await buildBundle(join(dir, "bundle"));
  const tls =
    options.tlsCert && options.tlsKey
      ? { certificateChain: readFileSync(options.tlsCert, "utf8"), privateKey: readFileSync(options.tlsKey, "utf8") }
      : null;
  const sockets: WorkerdSocket[] = options.listen.map((address, index) => ({
    name: `http${index}`,
    tls: address.tls === false ? null : tls,
  }));
  const config = workerdConfig({
    scriptPath: bundle.scriptPath,
    compatibilityDate: bundle.compatibilityDate,
    compatibilityFlags: bundle.compatibilityFlags,
    bindings: serveBindings(bundle, env, store, options.trustProxy),
    sockets,
  });
  const configPath = join(dir, "bundle", "workerd.capnp");
  writeFileSync(configPath, config, { mode: 0o600 });
  chmodSync(configPath, 0o600);
  return { configPath, socketNames: sockets.map((socket) => socket.name), fds };
}
