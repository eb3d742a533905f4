/**
 * The benchmark's upstream, run as its own process so that it does not share
 * an event loop with anything it is measured against:
 *
 *   node scripts/bench/upstream.ts [--name NAME]
 *
 * Answers every request with a short fixed body and `x-app: NAME`, keeps
 * connections alive, and prints `upstream listening on 127.0.0.1:PORT`.
 */
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { name = "upstream" } = parseArgs({ options: { name: { type: "string" } } }).values;
const body = Buffer.from(`Hello world! I am ${name}.\n`);
const headers = { "content-type": "text/plain; charset=utf-8", "content-length": body.length, "x-app": name };

const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, headers);
  response.end(request.method === "HEAD" ? undefined : body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`upstream listening on 127.0.0.1:${port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
