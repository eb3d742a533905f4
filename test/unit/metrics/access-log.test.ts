import { describe, expect, it } from "vitest";
import { sampled } from "../../../src/metrics/access-log.ts";

describe("access log sampling", () => {
  it("logs everything at 1 and nothing at 0, failures included", () => {
    expect(sampled(200, 1, () => 0.99)).toBe(true);
    expect(sampled(502, 0, () => 0)).toBe(false);
  });

  it("samples successes and client errors by the rate but keeps every 5xx", () => {
    expect(sampled(200, 0.1, () => 0.05)).toBe(true);
    expect(sampled(200, 0.1, () => 0.5)).toBe(false);
    expect(sampled(404, 0.1, () => 0.5)).toBe(false);
    expect(sampled(503, 0.1, () => 0.5)).toBe(true);
  });
});
