import type { FetchFunction } from "../../src/route-value/network.ts";

/** One call a stand-in fetch received, with the body it was sent read out. */
export interface FetchCall {
  readonly url: string;
  readonly init: RequestInit;
  readonly headers: Headers;
  readonly body: string | null;
}

export interface StandInFetch {
  readonly fetch: FetchFunction;
  readonly calls: FetchCall[];
}

/**
 * A fetch() for unit tests of forward, failover and dispatch: records every
 * call (URL, init, the body read to the end) and answers with `answer`, which
 * may throw as a refused connection would. No network is involved.
 */
export function standInFetch(
  answer: (url: string, init: RequestInit, calls: readonly FetchCall[]) => Response | Promise<Response> = () =>
    new Response("ok"),
): StandInFetch {
  const calls: FetchCall[] = [];
  const fetch: FetchFunction = async (url, init) => {
    const body = init.body == null ? null : await new Response(init.body).text();
    calls.push({ url, init, headers: new Headers(init.headers), body });
    return answer(url, init, calls);
  };
  return { fetch, calls };
}
