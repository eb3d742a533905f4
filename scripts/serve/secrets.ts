/**
 * The secrets the worker reads besides the route store's: bindings that are
 * not [vars] of wrangler.toml, set at the edge with `wrangler secret put` and
 * locally in .dev.vars (.dev.vars.example lists them all). Self-hosted, they
 * come from the environment or --env-file like everything else.
 * test/serve/options.test.ts keeps this list and .dev.vars.example in step.
 */
export const WORKER_SECRETS: readonly string[] = [
  // The dashboard's bearer token (src/admin/settings.ts); without it ADMIN_HOST answers 503 "not configured".
  "ADMIN_TOKEN",
  // Keys the sticky cookies' HMAC (src/dispatch/sticky.ts); empty falls back to the store token.
  "STICKY_SECRET",
];

/** The store's secrets: npm run serve sets them itself (scripts/serve/route-store.ts). */
export const STORE_SECRETS: readonly string[] = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"];
