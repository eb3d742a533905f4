import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";

/** Where Debian's libnginx-mod-http-lua and its NDK dependency put the modules. */
export const NGINX_MODULES = [
  "/usr/lib/nginx/modules/ndk_http_module.so",
  "/usr/lib/nginx/modules/ngx_http_lua_module.so",
];

export interface Tools {
  /** Path of wrk, or why there is none. */
  readonly wrk: { path: string } | { missing: string };
  /** Path of nginx with the Lua module, or why there is none. */
  readonly nginx: { path: string } | { missing: string };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function which(command: string): string | null {
  const result = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function nginxReady(): string | null {
  const path = which("nginx") ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);
  return path && NGINX_MODULES.every((module) => existsSync(module)) ? path : null;
}

/**
 * Finds wrk and nginx + Lua, installing Debian's packages (wrk, nginx-light,
 * libnginx-mod-http-lua) when they are missing and we are root. Services are
 * not started by the install (policy-rc.d), so nothing listens on port 80.
 */
export function ensureTools(): Tools {
  const wanted: string[] = [];
  if (!which("wrk")) wanted.push("wrk");
  if (!nginxReady()) wanted.push("nginx-light", "libnginx-mod-http-lua");
  let why = "";
  if (wanted.length > 0) why = installDebianPackages(wanted);
  const wrk = which("wrk");
  const nginx = nginxReady();
  return {
    wrk: wrk ? { path: wrk } : { missing: `wrk is not installed (${why || "not attempted"})` },
    nginx: nginx
      ? { path: nginx }
      : { missing: `nginx with the Lua module is not installed (${why || "not attempted"})` },
  };
}

/** The path of wrk, without which no load can be generated: fails with why it is missing. */
export function requireWrk(tools: Tools): string {
  if ("missing" in tools.wrk) throw new Error(tools.wrk.missing);
  return tools.wrk.path;
}

/** Installs what apt can; returns why not, or "" when it ran. */
function installDebianPackages(packages: string[]): string {
  if (process.getuid?.() !== 0) return `not root: install ${packages.join(" ")} with apt-get`;
  if (!which("apt-get")) return "no apt-get on this machine";
  log(`installing Debian packages: ${packages.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  spawnSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  const available = packages.filter((name) => {
    const policy = spawnSync("apt-cache", ["policy", name], { encoding: "utf8" }).stdout;
    return /Candidate: (?!\(none\))/.test(policy);
  });
  const unavailable = packages.filter((name) => !available.includes(name));
  if (unavailable.length > 0) log(`not in the package lists: ${unavailable.join(" ")}`);
  if (available.length === 0) return `apt has no ${unavailable.join(", ")}`;
  // Keep the packages' init scripts from starting a system nginx on port 80.
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    const install = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...available], {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    });
    if (install.status !== 0) return `apt-get install ${available.join(" ")} failed (exit ${install.status})`;
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  return unavailable.length > 0 ? `apt has no ${unavailable.join(", ")}` : "";
}
