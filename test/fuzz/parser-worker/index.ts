// The bundle must be index.js, as buildWorkerBundle expects: wrangler names it after this entry.
/**
 * A test worker that runs the route-value parser inside workerd: POST a JSON
 * array of stored values, get their verdicts back in order. The router's own
 * bundle only shows a verdict by forwarding, which random values must not do.
 */
import { verdict, type StoredValue } from "./verdict.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const values = (await request.json()) as StoredValue[];
    return Response.json(values.map(verdict));
  },
};
