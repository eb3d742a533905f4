import { ConfigError } from "../errors.ts";
import { normalizeHost } from "../receive/index.ts";

/** Who may open the dashboard: a bearer token, Cloudflare Access, or both. */
export interface AdminAuthSettings {
  /** ADMIN_TOKEN (a secret); null when unset. */
  readonly token: string | null;
  /** Cloudflare Access: the team domain's origin (the JWT issuer) and the application's audience tag. */
  readonly access: { readonly issuer: string; readonly audience: string } | null;
}

type Bindings = Readonly<Partial<Record<string, unknown>>>;

/** Shorter tokens are refused: the dashboard shows every route and backend address. */
export const MIN_TOKEN_LENGTH = 16;

const hosts = new WeakMap<object, string>();
const auths = new WeakMap<object, AdminAuthSettings>();

/** ADMIN_HOST, normalised as a request's Host is; "" when there is no dashboard. */
export function adminHostOf(env: object): string {
  const cached = hosts.get(env);
  if (cached !== undefined) return cached;
  const raw = text(env, "ADMIN_HOST");
  let host = "";
  if (raw !== "") {
    try {
      host = normalizeHost(raw);
    } catch {
      throw new ConfigError("ADMIN_HOST", "invalid", `ADMIN_HOST must be a host name such as admin.example.com.`);
    }
  }
  hosts.set(env, host);
  return host;
}

/** Read only by the dashboard itself, so a bad value there never disturbs routing. */
export function adminAuthOf(env: object): AdminAuthSettings {
  const cached = auths.get(env);
  if (cached) return cached;
  const token = text(env, "ADMIN_TOKEN");
  if (token !== "" && token.length < MIN_TOKEN_LENGTH) {
    // The detail goes to the log; it says how long, never what.
    throw new ConfigError("ADMIN_TOKEN", "invalid", `ADMIN_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters.`);
  }
  const team = text(env, "ADMIN_ACCESS_TEAM_DOMAIN");
  const audience = text(env, "ADMIN_ACCESS_AUD");
  if ((team === "") !== (audience === "")) {
    const missing = team === "" ? "ADMIN_ACCESS_TEAM_DOMAIN" : "ADMIN_ACCESS_AUD";
    throw new ConfigError(
      missing,
      "missing",
      `Cloudflare Access needs both ADMIN_ACCESS_TEAM_DOMAIN and ADMIN_ACCESS_AUD.`,
    );
  }
  const settings: AdminAuthSettings = {
    token: token === "" ? null : token,
    access: team === "" ? null : { issuer: teamOrigin(team), audience },
  };
  auths.set(env, settings);
  return settings;
}

/** `myteam.cloudflareaccess.com` or `https://myteam.cloudflareaccess.com` → its origin, the tokens' `iss`. */
function teamOrigin(team: string): string {
  try {
    const url = new URL(/^https?:\/\//i.test(team) ? team : `https://${team}`);
    if (url.pathname !== "/" || url.search !== "" || url.username !== "") throw new Error("not a bare origin");
    return url.origin;
  } catch {
    throw new ConfigError(
      "ADMIN_ACCESS_TEAM_DOMAIN",
      "invalid",
      "ADMIN_ACCESS_TEAM_DOMAIN must be the team domain, such as myteam.cloudflareaccess.com.",
    );
  }
}

function text(env: object, name: string): string {
  const value = (env as Bindings)[name];
  return typeof value === "string" ? value.trim() : "";
}
