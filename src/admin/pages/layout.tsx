import type { Child } from "hono/jsx";
import { STYLE } from "./style.ts";

export type PageName = "routes" | "tester" | "health" | "traffic";

const NAV: readonly [PageName, string, string][] = [
  ["routes", "/routes", "Routes"],
  ["tester", "/tester", "Host tester"],
  ["health", "/health", "Health"],
  ["traffic", "/traffic", "Cache and traffic"],
];

export interface LayoutProps {
  readonly title: string;
  /** The nav entry to mark as current; null for the login page (no nav). */
  readonly page: PageName | null;
  /** What the page cost in Redis commands, shown at the bottom. */
  readonly commands?: number;
  readonly children?: Child;
}

/** Every page: a nav that wraps on a phone, the content, the page's own cost. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title} · host router</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body>
        <header>
          <span class="brand">Host router</span>
          {props.page !== null && (
            <nav>
              {NAV.map(([name, href, label]) => (
                <a href={href} aria-current={name === props.page ? "page" : undefined}>
                  {label}
                </a>
              ))}
            </nav>
          )}
          {props.page !== null && (
            <form method="post" action="/logout">
              <button type="submit">Log out</button>
            </form>
          )}
          {props.page !== null && (
            <form method="post" action="/logout-everywhere">
              <button type="submit">Log out everywhere</button>
            </form>
          )}
        </header>
        <main>{props.children}</main>
        {props.commands !== undefined && (
          <footer>
            This page cost {props.commands} Redis command{props.commands === 1 ? "" : "s"}. JSON:{" "}
            <a href="/api">/api</a> · Prometheus: <a href="/metrics">/metrics</a>
          </footer>
        )}
      </body>
    </html>
  );
}

/** A page as a full HTML document. */
export function html(node: Child): string {
  return `<!doctype html>${String(node)}`;
}
