import type { Policies } from "../route-value/policy-spec.ts";
import { basicAuth } from "./basic-auth.ts";
import type { PolicyFacts } from "./facts.ts";
import { ipAllowList } from "./ip-allow-list.ts";
import { maintenance } from "./maintenance.ts";
import { rateLimit } from "./rate-limit.ts";

/**
 * The policies of the chosen action, in the documented order: maintenance
 * (nothing else matters), ipAllowList (cheapest refusal, no secret checked
 * for a stranger), basicAuth (CPU), rateLimit (a Redis command). The first
 * refusal is thrown as a RouterError and rendered in one place
 * (error-response.ts).
 *
 * A refused password still counts against the route's rateLimit, and past
 * it the answer is 429: otherwise a client could guess passwords without
 * limit, each guess a full PBKDF2 on our CPU.
 */
export async function enforcePolicies(request: Request, policies: Policies, facts: PolicyFacts): Promise<void> {
  const refusal =
    (policies.maintenance && maintenance(request, facts, policies.maintenance)) ||
    (policies.ipAllowList && ipAllowList(request, facts, policies.ipAllowList)) ||
    (await authenticated(request, policies, facts)) ||
    (policies.rateLimit && (await rateLimit(request, facts, policies.rateLimit)));
  if (refusal) throw refusal;
}

/** basicAuth's refusal, or the rate limit's when a wrong guess is one too many; undefined when it passes. */
async function authenticated(request: Request, policies: Policies, facts: PolicyFacts) {
  const refusal = policies.basicAuth && (await basicAuth(request, facts, policies.basicAuth));
  if (!refusal || !policies.rateLimit) return refusal;
  return (await rateLimit(request, facts, policies.rateLimit)) ?? refusal;
}
