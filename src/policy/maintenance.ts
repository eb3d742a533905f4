import type { MaintenanceSpec } from "../route-value/index.ts";
import { MaintenanceError } from "./refusals.ts";
import type { PolicyFacts } from "./facts.ts";

/** Every request gets 503 with the message, as HTML, text or JSON by Accept (error-response.ts). */
export function maintenance(_request: Request, _facts: PolicyFacts, spec: MaintenanceSpec): MaintenanceError {
  return new MaintenanceError(spec);
}
