import { describe, expect, it } from "vitest";
import { errorFormat } from "../../src/error-format.ts";

describe("errorFormat", () => {
  it.each([
    [null, "text"],
    ["", "text"],
    ["*/*", "text"],
    ["application/json", "json"],
    ["application/problem+json", "json"],
    ["application/json, text/plain, */*", "json"], // axios
    ["text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", "html"], // a browser
    ["text/html;q=0.5, application/json", "json"],
    ["application/json;q=0.2, text/html;q=0.4", "html"],
    ["text/*", "text"],
    ["text/*, text/html", "html"],
    ["application/*", "json"],
    ["*/*, text/plain;q=0", "html"],
    ["image/png", "text"],
    ["APPLICATION/JSON", "json"],
    ["application/json;q=0", "text"],
    ["application/json; charset=utf-8; q=0.9, text/plain; q=0.8", "json"],
  ])("Accept %j -> %s", (accept, format) => {
    expect(errorFormat(accept)).toBe(format);
  });
});
