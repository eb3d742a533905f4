import type { IpAllowListSpec } from "../route-value/policy-spec.ts";
import { AddressNotAllowedError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";
import { inRanges } from "../lib/ip-range.ts";

/**
 * The real client address (ClientInfo.clientIp: CF-Connecting-IP, set by the
 * edge) against the ranges; X-Forwarded-For is the client's own word and is
 * never read. No address at all is outside every range.
 */
export function ipAllowList(
  _request: Request,
  facts: PolicyFacts,
  spec: IpAllowListSpec,
): AddressNotAllowedError | undefined {
  if (facts.clientIp !== null && inRanges(facts.clientIp, spec.ranges)) return undefined;
  return new AddressNotAllowedError(facts.clientIp);
}
