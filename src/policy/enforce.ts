import type { Policies } from "../route/policy-spec.ts";
import { basicAuth } from "./basic-auth.ts";
import type { PolicyFacts } from "./facts.ts";
import { ipAllowList } from "./ip-allow-list.ts";
import { maintenance } from "./maintenance.ts";
import { rateLimit } from "./rate-limit.ts";

/**
 * The policies of the chosen action, in the documented order: maintenance
 * (nothing else matters), ipAllowList (cheapest refusal, no secret checked
 * for a stranger), basicAuth (CPU), rateLimit (a Redis command, counted
 * only for requests that would otherwise pass). The first refusal is thrown
 * as a RouterError and rendered in one place (error-response.ts).
 */
export async function enforcePolicies(request: Request, policies: Policies, facts: PolicyFacts): Promise<void> {
  const refusal =
    (policies.maintenance && maintenance(request, facts, policies.maintenance)) ||
    (policies.ipAllowList && ipAllowList(request, facts, policies.ipAllowList)) ||
    (policies.basicAuth && (await basicAuth(request, facts, policies.basicAuth))) ||
    (policies.rateLimit && (await rateLimit(request, facts, policies.rateLimit)));
  if (refusal) throw refusal;
}
