import { Redis } from "@upstash/redis";

/**
 * The route store client of the routes CLI and the container agent:
 * @upstash/redis on the REST API, values kept as the exact strings stored.
 */
export function routeStoreClient(settings: { readonly url: string; readonly token: string }): Redis {
  return new Redis({
    url: settings.url,
    token: settings.token,
    // A route value is a string, stored and shown exactly as written.
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: false,
    signal: () => AbortSignal.timeout(10_000),
  });
}
