import { RouterError } from "../errors.ts";

/** ADMIN_HOST is set but no credential is: the dashboard stays shut rather than open. */
export class AdminNotConfiguredError extends RouterError {
  constructor() {
    super(
      503,
      "admin_not_configured",
      "The dashboard is not configured: set the ADMIN_TOKEN secret, or ADMIN_ACCESS_TEAM_DOMAIN and ADMIN_ACCESS_AUD.",
    );
  }
}

/** No credential, or a wrong one (RFC 6750 §3: the challenge names the scheme). */
export class AdminUnauthorizedError extends RouterError {
  constructor(detail: string) {
    super(
      401,
      "unauthorized",
      "Sign in to the dashboard: send Authorization: Bearer <ADMIN_TOKEN>, or log in at /login.",
      {
        headers: { "www-authenticate": 'Bearer realm="router admin"' },
        detail,
      },
    );
  }
}

/** A form post from another site (RFC 6454 Origin), refused before anything else. */
export class AdminForbiddenOriginError extends RouterError {
  constructor() {
    super(403, "cross_origin", "Forms of the dashboard can only be sent from the dashboard itself.");
  }
}

export class AdminNotFoundError extends RouterError {
  constructor() {
    super(404, "not_found", "No such page on the dashboard.");
  }
}

/** A refused input of the host tester or a filter. */
export class AdminInputError extends RouterError {
  constructor(message: string) {
    super(400, "invalid_input", message);
  }
}

/**
 * Too many wrong tokens or logins from this client (429, RFC 6585 §4): every
 * credential it sends waits until Retry-After, right or wrong, so guessing
 * the token is bounded whatever the token's length.
 */
export class AdminThrottledError extends RouterError {
  constructor(retryAfterSeconds: number) {
    super(429, "too_many_attempts", `Too many wrong tokens from your address; try again in ${retryAfterSeconds} s.`, {
      headers: { "retry-after": String(retryAfterSeconds) },
    });
  }
}

/**
 * The login form or a session cookie over plain HTTP from a host that is not
 * this machine (403): the token and the cookie would cross the network in
 * the clear. localhost and *.localhost resolve to this machine only (RFC 6761 §6.3).
 */
export class AdminInsecureError extends RouterError {
  constructor(host: string) {
    super(
      403,
      "https_required",
      `The dashboard's login form and session cookies need HTTPS: open https://${host}/login. Plain HTTP works only for localhost and *.localhost; scripts may send Authorization: Bearer <ADMIN_TOKEN>.`,
    );
  }
}
