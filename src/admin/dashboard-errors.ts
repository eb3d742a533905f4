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
