import { describe, expect, it } from "vitest";
import { splitTarget } from "../../../src/receive/target.ts";

describe("splitTarget", () => {
  it("keeps the path and query byte for byte", () => {
    expect(splitTarget("http://h.example/a%2Fb//c?q=%20&r=1")).toEqual({
      origin: "http://h.example",
      path: "/a%2Fb//c",
      query: "?q=%20&r=1",
    });
    expect(splitTarget("https://h.example:8443")).toEqual({ origin: "https://h.example:8443", path: "/", query: "" });
    expect(splitTarget("http://h.example?x")).toEqual({ origin: "http://h.example", path: "/", query: "?x" });
    expect(splitTarget("http://h.example/p#frag")).toEqual({ origin: "http://h.example", path: "/p", query: "" });
  });
});
