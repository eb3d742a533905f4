/**
 * The dashboard's door: its own Hono app at ADMIN_HOST, never routed.
 */
export { isAdminRequest } from "./admin-host.ts";
export { createAdminApp, secureAdminResponse } from "./app.ts";
export { adminCommands } from "./store.ts";
