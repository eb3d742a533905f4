import { readdirSync } from "node:fs";
import { basename, dirname } from "node:path";

export interface WorkerdSocket {
  /** `--socket-fd <name>=<fd>` names it; the config gives no address. */
  readonly name: string;
  /** PEM texts when the socket speaks HTTPS. */
  readonly tls: { readonly certificateChain: string; readonly privateKey: string } | null;
}

export interface WorkerdConfigInput {
  /** The bundle's entry module; every other .js/.mjs/.wasm beside it is included too. */
  readonly scriptPath: string;
  readonly compatibilityDate: string;
  readonly compatibilityFlags: readonly string[];
  readonly bindings: Readonly<Record<string, string>>;
  readonly sockets: readonly WorkerdSocket[];
}

/**
 * The workerd config (Cap'n Proto text, workerd.capnp) that serves the bundle
 * as the edge would — one socket straight into the worker — with outbound
 * fetch() allowed to public AND private addresses: reaching `172.17.0.37:5000`
 * is the point of self-hosting. A route back at the router itself is still
 * stopped by the hop counter (508, src/proxy/loop.ts). HTTPS upstreams are
 * checked against the CAs browsers trust.
 */
export function workerdConfig(input: WorkerdConfigInput): string {
  const dir = dirname(input.scriptPath);
  const entry = basename(input.scriptPath);
  const others = readdirSync(dir).filter((file) => /\.(m?js|wasm)$/.test(file) && file !== entry);
  const modules = [entry, ...others].map((file) =>
    file.endsWith(".wasm")
      ? `(name = ${q(file)}, wasm = embed ${q(file)})`
      : `(name = ${q(file)}, esModule = embed ${q(file)})`,
  );
  const bindings = Object.entries(input.bindings).map(([name, value]) => `(name = ${q(name)}, text = ${q(value)})`);
  const sockets = input.sockets.map((socket) =>
    socket.tls
      ? `(name = ${q(socket.name)}, service = "router", https = (options = (), tlsOptions = (keypair = (` +
        `privateKey = ${q(socket.tls.privateKey)}, certificateChain = ${q(socket.tls.certificateChain)}))))`
      : `(name = ${q(socket.name)}, service = "router", http = ())`,
  );
  return `# Written by npm run serve (scripts/serve/workerd-config.ts); holds secrets: keep it private.
using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "router", worker = .router),
    (name = "outbound", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [
    ${sockets.join(",\n    ")},
  ],
);
const router :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = ${q(input.compatibilityDate)},
  compatibilityFlags = [${input.compatibilityFlags.map(q).join(", ")}],
  bindings = [${bindings.join(", ")}],
  globalOutbound = "outbound",
);
`;
}

/** A capnp text literal: its escapes are C's, and JSON's cover every string we write (PEM included). */
function q(text: string): string {
  return JSON.stringify(text);
}
