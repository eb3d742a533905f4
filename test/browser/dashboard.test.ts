import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoApp, type RunningDemoApp } from "../../scripts/lib/demo-app.ts";
import { hashPassword } from "../../src/lib/password-hash.ts";
import { send } from "../support/http.ts";
import { startAdminRouter, type AdminUnderTest } from "../support/admin.ts";
import { routesClient } from "../support/stack.ts";
import { launchBrowser, SCREENSHOTS, type Browser } from "./browser.ts";

/*
 * The dashboard in a real browser (Debian's chromium, JavaScript off): log
 * in, open every page, use the host tester and the filter, log out; a
 * screenshot of each page at desktop and phone widths under test-output/.
 */

const redis = routesClient();
let admin: AdminUnderTest;
let apps: RunningDemoApp[];
let browser: Browser;
let page: Page;
let base: string;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** The little of the DOM these tests read in the page (the tests compile without the DOM library). */
interface BrowserGlobals {
  readonly document: { readonly documentElement: { readonly clientWidth: number; readonly scrollWidth: number } };
  getComputedStyle(node: unknown): { readonly color: string };
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Nothing wider than the screen: a phone never scrolls sideways. */
async function fitsWidth(): Promise<boolean> {
  const [client, scroll] = await page.evaluate(() => {
    const root = (globalThis as unknown as BrowserGlobals).document.documentElement;
    return [root.clientWidth, root.scrollWidth];
  });
  return scroll <= client + 1;
}

beforeAll(async () => {
  [admin, apps, browser] = await Promise.all([
    startAdminRouter("browser", { FLEET_STATS_INTERVAL_MS: "1000" }, "router.localhost"),
    Promise.all([startDemoApp({ name: "p5001" }), startDemoApp({ name: "p5002" })]),
    launchBrowser(),
  ]);
  const [p5001, p5002] = apps as [RunningDemoApp, RunningDemoApp];
  const p = admin.prefix;
  await redis.set(`${p}p5001.localhost`, p5001.address);
  await redis.set(`${p}p5002.localhost`, p5002.address);
  await redis.set(`${p}old.localhost`, "ftp://10.0.0.9", { ex: 86_400 });
  await redis.set(
    `${p}shop.localhost`,
    JSON.stringify({
      backends: [p5001.address, p5001.address, p5002.address],
      paths: { "/static": { backends: `http://${p5002.address}/assets`, strip: true } },
      responseHeaders: { "Strict-Transport-Security": "max-age=63072000" },
    }),
  );
  await redis.set(`${p}*.preview.localhost`, JSON.stringify({ redirect: "https://preview.example", status: 302 }));
  await redis.set(
    `${p}staff.localhost`,
    JSON.stringify({
      backends: p5001.address,
      basicAuth: { users: [`alice:${await hashPassword("wonderland", 10_000)}`] },
      requestHeaders: { Authorization: "Bearer upstream-secret" },
    }),
  );
  // Some traffic for the charts and the busiest hosts.
  for (let i = 0; i < 12; i++) await send(admin.router.url, { host: i % 3 ? "p5001.localhost" : "p5002.localhost" });
  await send(admin.router.url, { host: "old.localhost" });
  await send(admin.router.url, { host: "nothing.localhost" });
  base = `http://router.localhost:${admin.router.port}`;
  page = await browser.context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await admin?.router.dispose();
  await Promise.all((apps ?? []).map((app) => app.close()));
});

describe("the dashboard in Chromium, without JavaScript", { timeout: 60_000 }, () => {
  it("sends a visitor to the login form, and a wrong token back to it", async () => {
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await shot("login");
    await page.fill('input[name="token"]', "certainly-not-the-token");
    await page.click('button[type="submit"]');
    await expect.poll(() => page.textContent("main")).toContain("That token is not the dashboard");
  });

  it("logs in and lists the routes, invalid values in red with the reason", async () => {
    await page.fill('input[name="token"]', admin.token);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/`);
    const main = (await page.textContent("main")) ?? "";
    for (const host of ["p5001.localhost", "p5002.localhost", "shop.localhost", "*.preview.localhost"]) {
      expect(main).toContain(host);
    }
    expect(main).toContain("weight 2");
    // Each route's last hour, every isolate: 8 requests for p5001, 4 for p5002, none for the rest.
    const row = (host: string) =>
      page.locator("tbody tr", { hasText: host }).first().locator('td[data-label="Last hour"]');
    expect(await row("p5001.localhost").textContent()).toContain("8 req");
    expect(await row("p5002.localhost").textContent()).toContain("4 req");
    expect(await row("shop.localhost").textContent()).toContain("0 req");
    const invalid = page.locator("tr.invalid");
    await expect.poll(() => invalid.textContent()).toContain('unsupported scheme "ftp"');
    const color = await invalid
      .locator(".bad")
      .first()
      .evaluate((node) => (globalThis as unknown as BrowserGlobals).getComputedStyle(node).color);
    expect(color).toBe("rgb(176, 0, 32)");
    await shot("routes");
    expect(await page.content()).not.toContain(admin.token);
  });

  it("shows who may log in and which headers are set, never a password hash or a header value", async () => {
    const row = page.locator("tr", { hasText: "staff.localhost" });
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("alice");
    expect(text.toLowerCase()).toContain("authorization: •••");
    const shop = (await page.locator("tr", { hasText: "shop.localhost" }).textContent()) ?? "";
    expect(shop.toLowerCase()).toContain("strict-transport-security: •••");
    const html = await page.content();
    expect(html).not.toContain("pbkdf2");
    expect(html).not.toContain("upstream-secret");
    expect(html).not.toContain("max-age=63072000");
  });

  it("filters the routes by text", async () => {
    await page.fill('input[name="q"]', "p5002");
    await page.click('form.inline button[type="submit"]');
    await page.waitForURL(/q=p5002/);
    const rows = await page.locator("tbody tr").allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("p5002.localhost");
  });

  it("tests a host: the keys read, the key that decided, the backend", async () => {
    await page.click("text=Host tester");
    await page.fill('input[name="host"]', "shop.localhost");
    await page.fill('input[name="path"]', "/static/app.css?v=3");
    await page.click('form.inline button[type="submit"]');
    await page.waitForURL(/host=shop.localhost/);
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("← decides");
    expect(main).toContain("the exact host");
    expect(main).toMatch(/\/static\/app.css is under \/static\/?, stripped to \/app.css/);
    expect(main).toContain(`http://${apps[1]?.address}/assets/app.css?v=3`);
    await shot("tester");
  });

  it("shows health: the store reachable, no backend marked down", async () => {
    await page.click("text=Health");
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("Reachable: PING answered");
    expect(main).toContain("SHARED_DOWN_MARKS is off");
    await shot("health");
  });

  it("shows every isolate's traffic (the fleet) beside this isolate's own, with charts", async () => {
    await page.click("text=Cache and traffic");
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("Every isolate");
    expect(main).toContain("This isolate only");
    expect(main).toContain("p5001.localhost");
    // The fleet's figures: the requests sent above, summed from the fleet hash.
    const fleetRoutes = await page.locator("table.fleet-hosts tbody tr").allTextContents();
    expect(fleetRoutes.find((row) => row.includes("p5001.localhost"))).toMatch(/p5001\.localhost\s*8\s*2xx 8/);
    expect(fleetRoutes.find((row) => row.includes("p5002.localhost"))).toMatch(/p5002\.localhost\s*4\s*2xx 4/);
    const tile = (label: string) => page.locator(".tiles.fleet .tile", { hasText: label }).locator("b").textContent();
    expect(Number(await tile("requests, every isolate"))).toBeGreaterThanOrEqual(14);
    expect(Number(await tile("isolates reporting"))).toBe(1);
    const fleetChart = page.locator('svg.chart[aria-label^="Fleet requests per minute"]');
    expect(await fleetChart.getAttribute("aria-label")).toMatch(/in the last 60 minutes/);
    expect(await fleetChart.locator("rect").count()).toBeGreaterThan(0);
    expect(await page.locator("svg.chart rect").count()).toBeGreaterThan(1);
    await shot("traffic");
  });

  it("is readable on a phone: no sideways scrolling, tables as cards", async () => {
    await page.setViewportSize(PHONE);
    for (const [path, name] of [
      ["/routes", "routes"],
      ["/tester?host=p5001.localhost&path=%2F", "tester"],
      ["/health", "health"],
      ["/traffic", "traffic"],
    ] as const) {
      await page.goto(`${base}${path}`);
      expect(await fitsWidth(), path).toBe(true);
      await shot(`${name}-phone`);
    }
    await page.setViewportSize(DESKTOP);
  });

  it("logs out: the pages ask for the token again", async () => {
    await page.click('header button:text-is("Log out")');
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.goto(`${base}/health`);
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  it("logs out everywhere: a session opened elsewhere ends too", async () => {
    await page.fill('input[name="token"]', admin.token);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/health`);
    // Another session of the same token, as another browser would hold it.
    const other = await send(admin.router.url, {
      host: "router.localhost",
      method: "POST",
      path: "/login",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: admin.token, next: "/" }).toString(),
    });
    const cookie = (other.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
    const withOther = () =>
      send(admin.router.url, { host: "router.localhost", path: "/api/health", headers: { cookie } });
    expect((await withOther()).status).toBe(200);
    await shot("logout-everywhere");
    await page.click('header button:text-is("Log out everywhere")');
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.goto(`${base}/health`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect((await withOther()).status).toBe(401);
  });
});
