import { RouterError } from "../errors.ts";
import type { MaintenanceSpec } from "../route-value/index.ts";

/** The route is in maintenance (503, RFC 9110 §15.6.4): the operator's message, and when to come back. */
export class MaintenanceError extends RouterError {
  constructor(spec: MaintenanceSpec) {
    super(503, "maintenance", spec.message, { headers: { "retry-after": String(spec.retryAfter) } });
  }
}

/** The client's address is outside the route's ipAllowList (403). */
export class AddressNotAllowedError extends RouterError {
  constructor(clientIp: string | null) {
    super(403, "address_not_allowed", "Your address is not allowed to reach this host.", {
      detail: `client address ${clientIp ?? "unknown"} is outside ipAllowList.sourceRange`,
    });
  }
}

/**
 * No credentials, or wrong ones (RFC 9110 §11.6.1, RFC 7617 §2): the
 * challenge names the realm and says passwords are read as UTF-8.
 */
export class UnauthorizedError extends RouterError {
  constructor(realm: string, detail: string) {
    super(401, "unauthorized", "Authentication required.", {
      headers: { "www-authenticate": `Basic realm="${realm.replace(/["\\]/g, "\\$&")}", charset="UTF-8"` },
      detail,
    });
  }
}

/** Over the route's rateLimit (429, RFC 6585 §4), with when to retry and the RateLimit fields. */
export class RateLimitedError extends RouterError {
  constructor(retryAfterSeconds: number, limit: number) {
    super(429, "rate_limited", "Too many requests; slow down.", {
      headers: {
        "retry-after": String(retryAfterSeconds),
        "ratelimit-limit": String(limit),
        "ratelimit-remaining": "0",
        "ratelimit-reset": String(retryAfterSeconds),
      },
    });
  }
}
