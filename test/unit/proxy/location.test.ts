import { describe, expect, it } from "vitest";
import { rewriteLocation } from "../../../src/proxy/location.ts";

const upstream = { origin: "http://10.0.0.7:5000", basePath: "" };
const based = { origin: "http://10.0.0.7:5000", basePath: "/v2" };
const pub = "https://app1.example.com";

describe("rewriteLocation (proxy_redirect default)", () => {
  it.each([
    ["http://10.0.0.7:5000/login", upstream, "https://app1.example.com/login"],
    ["HTTP://10.0.0.7:5000/a%2Fb//c?q=%20#top", upstream, "https://app1.example.com/a%2Fb//c?q=%20#top"],
    ["http://10.0.0.7:5000", upstream, "https://app1.example.com/"],
    ["http://10.0.0.7:5000?x=1", upstream, "https://app1.example.com/?x=1"],
    ["//10.0.0.7:5000/x", upstream, "https://app1.example.com/x"],
    ["http://10.0.0.7:5000/v2/login", based, "https://app1.example.com/login"],
    ["http://10.0.0.7:5000/v2", based, "https://app1.example.com/"],
    ["http://10.0.0.7:5000/v2?x", based, "https://app1.example.com/?x"],
    ["http://10.0.0.7:5000/v20/x", based, "https://app1.example.com/v20/x"],
    ["http://10.0.0.7:5000/other", based, "https://app1.example.com/other"],
  ])("%s -> rewritten", (location, target, expected) => {
    expect(rewriteLocation(location, target, pub)).toBe(expected);
  });

  it.each([
    ["http://10.0.0.7:5000/login", upstream, "https://app1.example.com/app/login"],
    ["http://10.0.0.7:5000", upstream, "https://app1.example.com/app/"],
    ["http://10.0.0.7:5000?x=1", upstream, "https://app1.example.com/app/?x=1"],
    ["http://10.0.0.7:5000/v2/login", based, "https://app1.example.com/app/login"],
    // Outside the upstream's base path: not under the prefix either (nginx leaves it to the app).
    ["http://10.0.0.7:5000/other", based, "https://app1.example.com/other"],
    ["/login", upstream, "/login"],
  ])("%s under the stripped prefix /app -> %s", (location, target, expected) => {
    expect(rewriteLocation(location, target, pub, "/app")).toBe(expected);
  });

  it("understands the default port", () => {
    const plain = { origin: "http://10.0.0.7", basePath: "" };
    expect(rewriteLocation("http://10.0.0.7:80/x", plain, pub)).toBe("https://app1.example.com/x");
  });

  it.each([
    "/login",
    "login",
    "?page=2",
    "https://10.0.0.7:5000/login",
    "http://10.0.0.7:5001/login",
    "http://10.0.0.8:5000/login",
    "https://elsewhere.example/",
    "mailto:someone@example.com",
    "http://[bad",
  ])("%s -> left alone", (location) => {
    expect(rewriteLocation(location, upstream, pub)).toBe(location);
  });
});
