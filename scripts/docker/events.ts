/**
 * What a container event means for its routes. Events that end serving
 * (die, stop, pause, kill, unhealthy, removal) withdraw the container at
 * once, without asking the engine (the container may be gone already);
 * the others (start, unpause, a health change) have the container
 * inspected, which tells whether it serves now and what its labels ask.
 */
import type { EngineEvent } from "./engine.ts";

export interface EventAction {
  readonly kind: "withdraw" | "inspect";
  readonly id: string;
  readonly what: string;
  /**
   * Inspect once more a moment later: Podman sends `health_status` without
   * the status, and may send it before the container's state says it.
   */
  readonly recheck?: boolean;
}

const WITHDRAW = new Set(["die", "stop", "pause", "destroy", "remove", "oom"]);
const INSPECT = new Set(["start", "unpause"]);
/** `docker kill -s` signals that ask a process to reload or report, not to stop. */
const NOT_STOPPING = new Set([
  "HUP",
  "SIGHUP",
  "1",
  "USR1",
  "SIGUSR1",
  "10",
  "USR2",
  "SIGUSR2",
  "12",
  "WINCH",
  "SIGWINCH",
  "28",
]);

export function eventAction(event: EngineEvent): EventAction | null {
  const id = event.Actor?.ID ?? "";
  const action = event.Action ?? "";
  if (event.Type !== "container" || id === "") return null;
  if (WITHDRAW.has(action)) return { kind: "withdraw", id, what: action };
  if (INSPECT.has(action)) return { kind: "inspect", id, what: action };
  if (action === "kill") {
    const signal = (event.Actor?.Attributes?.["signal"] ?? "").toUpperCase();
    return { kind: NOT_STOPPING.has(signal) ? "inspect" : "withdraw", id, what: `kill${signal ? ` ${signal}` : ""}` };
  }
  if (action.startsWith("health_status")) {
    // Docker: "health_status: healthy"; Podman: "health_status" with the status as an attribute.
    const status = action.includes(":")
      ? action.slice(action.indexOf(":") + 1).trim()
      : (event.Actor?.Attributes?.["health_status"] ?? "");
    if (status === "") return { kind: "inspect", id, what: "health_status", recheck: true };
    return { kind: status === "unhealthy" ? "withdraw" : "inspect", id, what: `health_status: ${status}` };
  }
  return null;
}
