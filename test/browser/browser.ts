import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { ROOT } from "../../scripts/lib/worker-bundle.ts";

/** Where screenshots go (git-ignored): look at them after a run. */
export const SCREENSHOTS = join(ROOT, "test-output", "screenshots");

/**
 * Debian's chromium (scripts/run.sh installs it for `npm test` when run as
 * root), or CHROMIUM_PATH. Never skipped: without a browser the tests fail
 * and say what to install.
 */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `No browser at ${path}: the dashboard's browser tests need Chromium. Install it (Debian: apt-get install chromium; npm test does it when run as root) or set CHROMIUM_PATH.`,
    );
  }
  return path;
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A headless Chromium with a fresh profile and nothing that talks to the
 * network by itself (no updates, sync, QUIC or first-run pages), JavaScript
 * off: the dashboard must work without it.
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "router-chromium-"));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    javaScriptEnabled: false,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
