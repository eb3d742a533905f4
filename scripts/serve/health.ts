import { createServer, type Server } from "node:http";
import type { ListenAddress } from "./options.ts";

export interface HealthState {
  /** False while stopping: a load balancer should send traffic elsewhere. */
  readonly serving: () => boolean;
  readonly processes: () => number;
  readonly storeAnswers: () => Promise<boolean>;
}

/**
 * The readiness check, on a listener of its own so it never shadows an
 * application's path: 200 when at least one workerd process runs and the
 * route store answers, 503 otherwise, with a JSON body saying which. It asks
 * no credential, so it belongs on an address only the load balancer reaches;
 * `storeAnswers` is cached (store-check.ts) so probing it costs the store
 * about one command a second.
 */
export async function startHealthListener(address: ListenAddress, state: HealthState): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      const processes = state.processes();
      const serving = state.serving();
      const store = serving && processes > 0 ? await state.storeAnswers() : false;
      const ok = serving && processes > 0 && store;
      const body = JSON.stringify({
        status: ok ? "ok" : "unavailable",
        serving,
        processes,
        store: store ? "ok" : serving && processes > 0 ? "unavailable" : "unchecked",
      });
      response.writeHead(ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : `${body}\n`);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return server;
}
