import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface DemoAppOptions {
  /** Said in every answer, so a client can tell the apps apart. */
  readonly name: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

export interface RunningDemoApp {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:PORT`: the seed's route value for this app. */
  readonly address: string;
  readonly server: Server;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** What `/echo…` answers: the request as the app received it. */
export interface EchoReply {
  readonly app: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bodyLength: number;
  readonly bodySha256: string;
}

/**
 * The seed's demo app (a small Sinatra app answering `Hello world!`), plus an
 * `/echo` endpoint that describes the request it received, for tests.
 */
export async function startDemoApp(options: DemoAppOptions): Promise<RunningDemoApp> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    void answer(options.name, request, response);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    name: options.name,
    port,
    address: `127.0.0.1:${port}`,
    server,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(name: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const hash = createHash("sha256");
  let bodyLength = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bodyLength += chunk.length;
  }
  const url = request.url ?? "/";
  if (url.startsWith("/echo")) {
    const reply: EchoReply = {
      app: name,
      method: request.method ?? "",
      url,
      headers: request.headers,
      bodyLength,
      bodySha256: hash.digest("hex"),
    };
    response.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-app": name });
    response.end(JSON.stringify(reply));
    return;
  }
  response.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-app": name });
  response.end(request.method === "HEAD" ? undefined : `Hello world! I am ${name}.\n`);
}
