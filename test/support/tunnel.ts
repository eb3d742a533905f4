import { createServer, request as httpRequest, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { Response as MiniflareResponse, type Request as MiniflareRequest, type V4FetchHandler } from "miniflare";

/*
 * Stand-ins for what a test of private upstreams cannot have: a Workers VPC
 * Network binding (never simulated locally; its real side is cloudflared on
 * a private network) and the Internet. Both reach only loopback.
 */

/** The request as a Node fetch() sends it on: method, headers, body streamed (duplex half), redirects left alone. */
async function passOn(request: MiniflareRequest, url: string): Promise<MiniflareResponse> {
  const body = request.method === "GET" || request.method === "HEAD" ? null : request.body;
  const answer = await fetch(url, {
    method: request.method,
    headers: [...request.headers],
    body,
    redirect: "manual",
    ...(body ? { duplex: "half" } : {}),
  } as RequestInit);
  return new MiniflareResponse(answer.body as ReadableStream | null, {
    status: answer.status,
    statusText: answer.statusText,
    headers: [...answer.headers],
  });
}

export interface StandInTunnel {
  /** The binding, for Miniflare's serviceBindings: an HTTP service on this tunnel's loopback port. */
  readonly service: { readonly external: { readonly address: string; readonly http: Record<string, never> } };
  /** Every URL the worker asked the binding for (`http://10.0.0.7:5000/a?b=1`), WebSocket handshakes too. */
  readonly asked: string[];
  close(): Promise<void>;
}

/**
 * Plays cloudflared on the Docker host: an HTTP server on loopback that the
 * binding sends each request to, as workerd sends them to an external HTTP
 * service (the Host header names the address the worker asked for).
 * `routes` maps that private `address:port` to the loopback `127.0.0.1:PORT`
 * of a test upstream; the request and the answer are piped through, bodies
 * streaming, WebSocket upgrades as raw bytes. An address it does not know,
 * or a backend that resets, closes the connection: the worker's fetch()
 * throws, as Cloudflare documents for a VPC binding that cannot connect
 * (workers-vpc/reference/troubleshooting: `connection_refused`, …).
 */
export async function standInTunnel(routes: Readonly<Record<string, string>>): Promise<StandInTunnel> {
  const asked: string[] = [];
  const target = (request: IncomingMessage): { host: string; port: number } | null => {
    const hostHeader = request.headers.host ?? "";
    asked.push(`http://${hostHeader}${request.url ?? "/"}`);
    const loopback = routes[hostHeader];
    if (!loopback) return null;
    const [host = "", port = "0"] = loopback.split(":");
    return { host, port: Number(port) };
  };
  const server = createServer((request, response) => {
    const to = target(request);
    if (!to) {
      request.socket.destroy();
      return;
    }
    const upstream = httpRequest(
      { ...to, method: request.method, path: request.url, headers: request.headers, agent: false },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => request.socket.destroy());
    request.pipe(upstream);
  });
  server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const to = target(request);
    if (!to) {
      socket.destroy();
      return;
    }
    const upstream = connect(to.port, to.host, () => {
      const lines = [`${request.method ?? "GET"} ${request.url ?? "/"} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        lines.push(`${request.rawHeaders[i] ?? ""}: ${request.rawHeaders[i + 1] ?? ""}`);
      }
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    service: { external: { address: `127.0.0.1:${address.port}`, http: {} } },
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface LoopbackOutbound {
  /** The worker's global outbound, for Miniflare's outboundService. */
  readonly handler: V4FetchHandler;
  /** URLs the worker tried to fetch directly that were not on loopback: a test asserts there are none. */
  readonly refused: string[];
}

/** Loopback addresses (127.0.0.0/8, ::1, localhost): the only ones a test may send traffic to. */
function isLoopback(hostname: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === "[::1]" || hostname === "localhost";
}

/**
 * The worker's global fetch() confined to loopback: the route store (the
 * bridge) and loopback upstreams are reached; any other address is recorded
 * and refused without a packet leaving this machine. A bug that fetched a
 * private address such as 10.0.0.7 directly shows up in `refused`.
 */
export function loopbackOutbound(): LoopbackOutbound {
  const refused: string[] = [];
  const handler: V4FetchHandler = (request) => {
    const url = new URL(request.url);
    if (!isLoopback(url.hostname)) {
      refused.push(request.url);
      return new MiniflareResponse(`refused by the test's outbound: ${url.host} is not loopback`, { status: 599 });
    }
    return passOn(request, request.url);
  };
  return { handler, refused };
}
