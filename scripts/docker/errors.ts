/** A bad option or setting: `docker: <message>` on stderr, exit status 2 (as the routes CLI's usage errors). */
export class AgentUsageError extends Error {
  readonly status = 2;
}

/** With --once, the engine or the store failed: exit status 1 (the long-running agent retries instead). */
export class AgentRunError extends Error {
  readonly status = 1;
}
