import type { Policies } from "../route-value/index.ts";
import { basicAuth } from "./basic-auth.ts";
import type { PolicyFacts } from "./facts.ts";
import { ipAllowList } from "./ip-allow-list.ts";
import { maintenance } from "./maintenance.ts";
import { rateLimit } from "./rate-limit.ts";

/**
 * The policies of the chosen action: maintenance (nothing else matters),
 * ipAllowList (cheapest refusal, no secret checked for a stranger),
 * rateLimit (the isolate's refusal memory, else one Redis command), then
 * basicAuth (a PBKDF2 unless the verdict is remembered). The first refusal
 * is thrown as a RouterError and rendered in one place (error-response.ts).
 *
 * The rate limit comes before the password check so that a client past its
 * limit costs no PBKDF2 at all: each request takes one token whatever its
 * password, so a refused password counts as much as an accepted one, and
 * once the tokens are spent guessing stops at a 429 that hashes nothing.
 */
export async function enforcePolicies(request: Request, policies: Policies, facts: PolicyFacts): Promise<void> {
  const refusal =
    (policies.maintenance && maintenance(request, facts, policies.maintenance)) ||
    (policies.ipAllowList && ipAllowList(request, facts, policies.ipAllowList)) ||
    (policies.rateLimit && (await rateLimit(request, facts, policies.rateLimit))) ||
    (policies.basicAuth && (await basicAuth(request, facts, policies.basicAuth)));
  if (refusal) throw refusal;
}
