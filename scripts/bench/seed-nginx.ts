import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../lib/ports.ts";
import { httpAnswers, startChild } from "./processes.ts";
import { NGINX_MODULES } from "./tools.ts";

export interface RunningSeed {
  readonly url: string;
  /** The master; its worker does the work. */
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The seed's design (see /work/shared/seed.md): nginx asks Redis `GET <host>`
 * on every request, proxies to the value, and answers 403 when there is none.
 * The seed used the HttpRedis module's `redis_pass`, which Debian does not
 * package; the same GET is made here from Lua over a cosocket, with the
 * connection kept in nginx's pool (as lua-resty-redis would). The proxy part
 * is the seed's as written: `proxy_pass http://$upstream` (HTTP/1.0, one
 * connection per request), the client's Host, X-Forwarded-For appended, the
 * seed's buffer sizes. One worker process by default, like workerd's one
 * thread (`workers` for the scaling rows, bench/scaling.ts); no access log,
 * like the router.
 */
export async function startSeed(nginx: string, workDir: string, redisPort: number, workers = 1): Promise<RunningSeed> {
  const port = await freePort();
  const prefix = join(workDir, "nginx");
  mkdirSync(join(prefix, "temp"), { recursive: true, mode: 0o777 });
  const config = `
${NGINX_MODULES.map((module) => `load_module ${module};`).join("\n")}
worker_processes ${workers};
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/temp/body;
  proxy_temp_path ${prefix}/temp/proxy;
  fastcgi_temp_path ${prefix}/temp/fastcgi;
  uwsgi_temp_path ${prefix}/temp/uwsgi;
  scgi_temp_path ${prefix}/temp/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      set $upstream "";
      rewrite_by_lua_block {
        local sock = ngx.socket.tcp()
        sock:settimeout(1000)
        if not sock:connect("127.0.0.1", ${redisPort}) then return ngx.exit(503) end
        local key = ngx.var.host
        if not sock:send("*2\\r\\n$3\\r\\nGET\\r\\n$" .. #key .. "\\r\\n" .. key .. "\\r\\n") then return ngx.exit(503) end
        local line = sock:receive("*l")
        if not line then return ngx.exit(503) end
        if line == "$-1" then
          sock:setkeepalive(10000, 256)
          return ngx.exit(ngx.HTTP_FORBIDDEN)
        end
        local length = tonumber(string.sub(line, 2))
        if string.sub(line, 1, 1) ~= "$" or not length then return ngx.exit(502) end
        local value = sock:receive(length + 2)
        if not value then return ngx.exit(503) end
        sock:setkeepalive(10000, 256)
        ngx.var.upstream = string.sub(value, 1, length)
      }
      proxy_pass http://$upstream;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffer_size 64k;
      proxy_buffers 32 48k;
      proxy_busy_buffers_size 256k;
    }
  }
}
`;
  const configPath = join(prefix, "nginx.conf");
  writeFileSync(configPath, config);
  const child = await startChild(nginx, ["-p", prefix, "-c", configPath, "-e", join(prefix, "error.log")], () =>
    httpAnswers(port),
  );
  return { url: `http://127.0.0.1:${port}`, pid: child.process.pid ?? 0, stop: () => child.stop() };
}
