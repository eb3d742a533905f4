/**
 * `npm run routes -- …`: manage the router's routes in Redis, locally or on
 * Upstash, with the worker's own parser (an invalid value is refused here
 * exactly when the worker would answer 502 for it).
 *
 * Exit status: 0 done, 1 refused / not found / store error (nothing
 * written), 2 usage error.
 */
import { parseArgs } from "node:util";
import { RouteStoreError } from "../src/errors.ts";
import {
  CommandFailure,
  exportRoutes,
  getRoute,
  importRoutes,
  listRoutes,
  removeRoute,
  setRoute,
  type Context,
} from "./routes/commands.ts";
import { routeStoreClient } from "./routes/client.ts";
import { CliUsageError, readCliEnv } from "./routes/env.ts";
import { passwd } from "./routes/passwd.ts";
import { testRoute } from "./routes/test-route.ts";

const USAGE = `usage: npm run routes -- <command> …

  set HOST UPSTREAM|JSON [--ttl SECONDS]   write a route (refused, and nothing written, if invalid)
  get HOST [--json]                        show the route stored for HOST (or *.domain, *)
  ls [PATTERN] [--json]                    list routes (SCAN; PATTERN is a glob, default *)
  rm HOST                                  remove HOST's route (string key and Hipache list)
  export                                   print every route as JSON (routes export > routes.json)
  import FILE [--dry-run]                  validate FILE, then write all of it in one transaction
  test HOST [PATH]                         which key, policies and backend a request would use, and why
  passwd USER [--iterations N]             read a password on stdin, print the "user:hash" line for basicAuth

HOST is a host name, a wildcard *.example.com, or the catch-all *.
The store is UPSTASH_REDIS_REST_URL / UPSTASH_REDIS_REST_TOKEN from the
environment, else from .dev.vars (written by npm start); keys get
ROUTE_KEY_PREFIX from the environment, else from wrangler.toml.`;

/** Positional arguments each command takes: [required, optional]. */
const ARITY: Record<string, [number, number]> = {
  set: [2, 0],
  get: [1, 0],
  ls: [0, 1],
  rm: [1, 0],
  export: [0, 0],
  import: [1, 0],
  test: [1, 1],
  passwd: [1, 0],
};

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ttl: { type: "string" },
      json: { type: "boolean" },
      "dry-run": { type: "boolean" },
      iterations: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const arity = ARITY[command];
  if (!arity) throw new CliUsageError(`unknown command "${command}"`);
  const [required, optional] = arity;
  if (args.length < required || args.length > required + optional) {
    throw new CliUsageError(
      `${command} takes ${required}${optional ? ` or ${required + optional}` : ""} argument(s), got ${args.length}`,
    );
  }
  if (values.ttl !== undefined && command !== "set") throw new CliUsageError("--ttl applies to set only");
  if (values["dry-run"] && command !== "import") throw new CliUsageError("--dry-run applies to import only");
  if (values.iterations !== undefined && command !== "passwd")
    throw new CliUsageError("--iterations applies to passwd only");
  if (values.json && command !== "ls" && command !== "get") throw new CliUsageError("--json applies to ls and get");
  const ttl = values.ttl === undefined ? null : Number(values.ttl);
  if (ttl !== null && !(/^\d+$/.test(values.ttl ?? "") && ttl > 0)) {
    throw new CliUsageError(`--ttl must be a whole number of seconds above 0, not "${values.ttl ?? ""}"`);
  }

  // No store needed: a hash is made locally.
  if (command === "passwd") {
    await passwd(
      args[0] ?? "",
      values.iterations,
      (text) => process.stdout.write(`${text}\n`),
      (text) => process.stderr.write(`${text}\n`),
    );
    return 0;
  }
  const env = readCliEnv();
  const ctx: Context = {
    env,
    redis: routeStoreClient(env),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  const arg = (i: number) => args[i] ?? "";
  switch (command) {
    case "set":
      await setRoute(ctx, arg(0), arg(1), ttl);
      break;
    case "get":
      await getRoute(ctx, arg(0), values.json ?? false);
      break;
    case "ls":
      await listRoutes(ctx, args[0] ?? "*", values.json ?? false);
      break;
    case "rm":
      await removeRoute(ctx, arg(0));
      break;
    case "export":
      await exportRoutes(ctx);
      break;
    case "import":
      await importRoutes(ctx, arg(0), values["dry-run"] ?? false);
      break;
    case "test":
      await testRoute(ctx, arg(0), args[1] ?? "/");
      break;
  }
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof CliUsageError ||
    (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    process.stderr.write(`routes: ${error.message}\n(npm run routes -- --help lists the commands)\n`);
    process.exitCode = 2;
  } else if (error instanceof CommandFailure) {
    process.stderr.write(`routes: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    // The store failed (unreachable, wrong token, …): say so without a stack trace.
    process.stderr.write(`routes: the route store failed: ${storeFailure(error)}\n`);
    process.exitCode = 1;
  }
}

/** The useful part of a client error: the cause of "fetch failed", not the echoed commands. */
function storeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let message = (error instanceof RouteStoreError ? error.detail : null) ?? error.message;
  const cause: unknown = error.cause;
  if (cause instanceof Error && !(error instanceof RouteStoreError)) {
    message += ` (${"code" in cause ? String(cause.code) : cause.message})`;
  }
  message = message.replace(/, command was: [\s\S]*$/, "");
  const url = process.env["UPSTASH_REDIS_REST_URL"];
  return url ? `${message}; UPSTASH_REDIS_REST_URL is ${url}` : message;
}
