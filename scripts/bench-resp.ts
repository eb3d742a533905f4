/**
 * `npm run bench:resp`: the cost of one large RESP reply (default 100,000
 * elements) through scripts/lib/resp.ts, each against a baseline measured in
 * the same run, so a parser that re-reads what it already parsed shows up as a
 * ratio far above 1 whatever the machine's load:
 *
 * - parser: the reply fed in 64 KiB chunks (what a socket read delivers) vs
 *   the same bytes in one piece;
 * - redis: `LRANGE list 0 -1` from a real redis-server vs the same elements
 *   read as ten pipelined LRANGEs of a tenth each.
 *
 * The last line reads e.g. `resp_elements=100000 parser_chunked/whole=1.02
 * redis_one_reply/ten_replies=1.10`. Settings (environment):
 * BENCH_RESP_ELEMENTS=100000, BENCH_RESP_ROUNDS=5 (the median is kept).
 */
import { startRedisServer } from "./lib/redis-server.ts";
import { encodeCommands, RespConnection, RespParser } from "./lib/resp.ts";

const setting = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const ELEMENTS = setting("BENCH_RESP_ELEMENTS", 100_000);
const ROUNDS = setting("BENCH_RESP_ROUNDS", 5);
const CHUNK_BYTES = 64 * 1024;
const SLICES = 10;

const log = (line: string) => process.stderr.write(`[bench:resp] ${line}\n`);
const member = (i: number) => `member:${String(i).padStart(8, "0")}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timed(work: () => unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** The wire bytes of a reply: an array of ELEMENTS bulk strings (encodeCommands writes exactly that shape). */
const wire = encodeCommands([Array.from({ length: ELEMENTS }, (_, i) => member(i))]);

function parseIn(chunkBytes: number): void {
  const parser = new RespParser();
  let replies = 0;
  for (let at = 0; at < wire.length; at += chunkBytes)
    replies += parser.push(wire.subarray(at, at + chunkBytes)).length;
  if (replies !== 1) throw new Error(`expected one reply, got ${replies}`);
}

const parserWhole: number[] = [];
const parserChunked: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  parserWhole.push(await timed(() => parseIn(wire.length)));
  parserChunked.push(await timed(() => parseIn(CHUNK_BYTES)));
}

const redis = await startRedisServer();
const connection = new RespConnection({ port: redis.port, commandTimeoutMs: 120_000 });
const redisOne: number[] = [];
const redisTen: number[] = [];
try {
  for (let at = 0; at < ELEMENTS; at += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, ELEMENTS - at) }, (_, i) => member(at + i));
    await connection.send(["RPUSH", "bench:list", ...batch]);
  }
  const slice = Math.ceil(ELEMENTS / SLICES);
  for (let round = 0; round < ROUNDS; round++) {
    redisTen.push(
      await timed(() =>
        connection.pipeline(
          Array.from({ length: SLICES }, (_, i) => ["LRANGE", "bench:list", i * slice, (i + 1) * slice - 1]),
        ),
      ),
    );
    redisOne.push(await timed(() => connection.send(["LRANGE", "bench:list", 0, -1])));
  }
} finally {
  connection.close();
  await redis.stop();
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
log(`reply of ${ELEMENTS} elements, ${(wire.length / 1024 / 1024).toFixed(2)} MiB on the wire, median of ${ROUNDS}`);
log(`parser: whole ${ms(median(parserWhole))}, in 64 KiB chunks ${ms(median(parserChunked))}`);
log(`redis:  ten LRANGEs of ${ELEMENTS / SLICES} ${ms(median(redisTen))}, one LRANGE 0 -1 ${ms(median(redisOne))}`);
const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
process.stdout.write(
  `resp_elements=${ELEMENTS} parser_chunked/whole=${ratio(parserChunked, parserWhole)} redis_one_reply/ten_replies=${ratio(redisOne, redisTen)}\n`,
);
