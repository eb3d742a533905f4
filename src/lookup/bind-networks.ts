import { chooseNetwork, PUBLIC, PUBLIC_NETWORK, type NetworkSetup } from "../route-value/index.ts";
import type { Action, ForwardAction, RouteSpec } from "../route-value/index.ts";

/** A route whose `"network"` names a binding the worker does not have: invalid here (502), fine elsewhere. */
export interface MissingNetwork {
  /** The binding's name, as the route wrote it. */
  readonly network: string;
  /** For the log, `routes test` and the tester. */
  readonly problem: string;
}

/** Bound specs by parsed spec, per setup (one per configuration, so per isolate). */
const boundSpecs = new WeakMap<NetworkSetup, WeakMap<RouteSpec, RouteSpec | MissingNetwork>>();

/**
 * The spec with every backend carrying the way it is fetched (`network`):
 * decided here once per parsed value and configuration (the spec cache keeps
 * parsed values, so this runs once per distinct value), never per request;
 * forward() then reads one property. A spec with no binding to use (no
 * PRIVATE_NETWORK, no `"network"`) still gets "public" on each backend.
 */
export function bindNetworks<Spec extends RouteSpec>(spec: Spec, setup: NetworkSetup): Spec | MissingNetwork {
  let specs = boundSpecs.get(setup);
  if (!specs) {
    specs = new WeakMap();
    boundSpecs.set(setup, specs);
  }
  const known = specs.get(spec);
  if (known) return known as Spec | MissingNetwork;
  const result = bindSpec(spec, setup);
  specs.set(spec, result);
  return result;
}

function bindSpec<Spec extends RouteSpec>(spec: Spec, setup: NetworkSetup): Spec | MissingNetwork {
  const missing = [spec.fallback, ...spec.paths.map((rule) => rule.action)]
    .map((action) => (action?.type === "forward" ? action.network : undefined))
    .find((name) => name !== undefined && name !== PUBLIC_NETWORK && !setup.bindings.has(name));
  if (missing !== undefined) {
    return {
      network: missing,
      problem: `"network": no binding ${missing} in this worker (it has: ${[...setup.bindings.keys()].join(", ")})`,
    };
  }
  return {
    ...spec,
    fallback: spec.fallback && bindAction(spec.fallback, setup),
    paths: spec.paths.map((rule) => ({ ...rule, action: bindAction(rule.action, setup) })),
  };
}

function bindAction(action: Action, setup: NetworkSetup): Action {
  if (action.type !== "forward") return action;
  const bound: ForwardAction = {
    ...action,
    backends: action.backends.map((backend) => ({
      origin: backend.origin,
      basePath: backend.basePath,
      // A missing name was refused above: anything else is a binding the worker has, or public.
      network:
        setup.bindings.get(chooseNetwork(backend.origin, action.network, setup.privateRanges, setup.bindings)) ??
        PUBLIC,
    })),
  };
  return bound;
}
