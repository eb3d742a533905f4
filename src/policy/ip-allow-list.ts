import type { IpAllowListSpec } from "../route-value/index.ts";
import { AddressNotAllowedError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";
import { inRanges } from "../lib/ip-range.ts";

/**
 * The real client address against the ranges: ClientInfo.clientIp, which
 * receive/client-address.ts resolves as CLIENT_ADDRESS says (the edge's
 * CF-Connecting-IP, or the TCP peer when self-hosted). X-Forwarded-For counts
 * only when that peer is one of TRUSTED_PROXIES, read from the right past
 * them; what a client wrote there itself never does. No address at all is
 * outside every range.
 */
export function ipAllowList(
  _request: Request,
  facts: PolicyFacts,
  spec: IpAllowListSpec,
): AddressNotAllowedError | undefined {
  if (facts.clientIp !== null && inRanges(facts.clientIp, spec.ranges)) return undefined;
  return new AddressNotAllowedError(facts.clientIp);
}
