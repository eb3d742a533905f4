/**
 * `npm run serve`: the production bundle under workerd on this host — private
 * upstreams, every core, the real client address, HTTPS, restarts and
 * graceful stops. `npm run serve -- --help` lists the options; the guide is
 * docs/self-hosting.md.
 */
import { parseServeOptions, USAGE, UsageError } from "./serve/options.ts";
import { serve } from "./serve/run.ts";

let options;
try {
  options = parseServeOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`serve: ${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options === "help") {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
try {
  await serve(options);
  process.exit(0);
} catch (error) {
  process.stderr.write(`serve: ${(error as Error).message}\n`);
  process.exit(1);
}
