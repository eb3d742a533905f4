import { describe, expect, it } from "vitest";
import { newRequestFacts } from "../../../src/request-state.ts";
import { isAdminRequest } from "../../../src/admin/admin-host.ts";

const is = (adminHost: string, header: string | null) =>
  isAdminRequest({ ADMIN_HOST: adminHost }, header, newRequestFacts());

describe("choosing the dashboard by Host", () => {
  it("takes the admin host however a client spells it", () => {
    for (const header of [
      "router.localhost",
      "ROUTER.localhost",
      "router.localhost:8787",
      "router.localhost.",
      "Router.Localhost.:443",
    ]) {
      expect(is("router.localhost", header), header).toBe(true);
    }
    expect(is("Router.Localhost.", "router.localhost")).toBe(true);
  });

  it("takes nothing else: subdomains, longer names, other hosts, refused hosts", () => {
    for (const header of [
      "x.router.localhost",
      "router.localhost.evil.example",
      "router.localhostx",
      "router.local",
      "p5001.localhost",
      "router.localhost@evil.example",
      "router.localhost/x",
      "",
      null,
    ]) {
      expect(is("router.localhost", header), String(header)).toBe(false);
    }
  });

  it("never answers while ADMIN_HOST is unset", () => {
    expect(is("", "router.localhost")).toBe(false);
    expect(isAdminRequest({}, "router.localhost", newRequestFacts())).toBe(false);
  });

  it("compares internationalised names and IPv6 literals in their normalised form", () => {
    expect(is("xn--bcher-kva.example", "BÜCHER.example")).toBe(true);
    expect(is("bücher.example", "xn--bcher-kva.example:8080")).toBe(true);
    expect(is("[::1]", "[0:0::1]:8787")).toBe(true);
    expect(is("[::1]", "[::2]")).toBe(false);
  });

  it("records the normalised host for the access log and the counters", () => {
    const facts = newRequestFacts();
    expect(isAdminRequest({ ADMIN_HOST: "router.localhost" }, "ROUTER.localhost:8787", facts)).toBe(true);
    expect(facts.host).toBe("router.localhost");
  });
});
