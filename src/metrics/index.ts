/**
 * The metrics door: the access log middleware, the isolate's traffic counters and their periodic write for the
 * fleet's figures.
 */
export { accessLog } from "./access-log.ts";
export { CACHE_OUTCOMES, LATENCY_BOUNDS_MS, STATUS_CLASSES, isolateTraffic } from "./counters.ts";
export type { TrafficCounters } from "./counters.ts";
export { HISTORY_MINUTES, STORE_COUNTERS, addCounts, emptyCounts } from "./fleet-counts.ts";
export type { FleetCounts, StoreCounter } from "./fleet-counts.ts";
export { foldAfterMs, isolateFleet, outcomeOf } from "./fleet-flush.ts";
export type { FleetFlusher, FleetSource } from "./fleet-flush.ts";
export { RETIRED_FIELD, decodeEntry, emptyEntry, encodeEntry, fleetKey } from "./fleet-store.ts";
export type { FleetEntry } from "./fleet-store.ts";
