import { describe, expect, it } from "vitest";
import { stripHopByHop } from "../../../src/lib/hop-by-hop.ts";

describe("stripHopByHop", () => {
  it("removes Connection, the headers it names, and the fixed hop-by-hop set", () => {
    const headers = new Headers({
      connection: "keep-alive, X-Named, , x-other",
      "x-named": "1",
      "x-other": "2",
      "keep-alive": "timeout=5",
      "proxy-authorization": "Basic x",
      "proxy-authenticate": "Basic",
      te: "trailers",
      trailer: "X-T",
      "transfer-encoding": "chunked",
      upgrade: "h2c",
      "x-kept": "yes",
    });
    stripHopByHop(headers);
    expect([...headers.keys()]).toEqual(["x-kept"]);
  });

  it("keeps Upgrade and Connection: upgrade for a WebSocket handshake", () => {
    const headers = new Headers({ connection: "Upgrade, X-Named", upgrade: "websocket", "x-named": "1" });
    stripHopByHop(headers, true);
    expect(Object.fromEntries(headers)).toEqual({ connection: "Upgrade, X-Named", upgrade: "websocket" });
  });
});
