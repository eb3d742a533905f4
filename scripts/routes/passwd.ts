import { DEFAULT_ITERATIONS, hashPassword, MAX_ITERATIONS, MIN_ITERATIONS } from "../../src/lib/password-hash.ts";
import { CommandFailure } from "./commands.ts";

/**
 * `routes passwd USER`: reads the password from standard input (typed at a
 * prompt, without echo, on a terminal; else everything piped in, less one
 * final newline) and prints the `user:hash` line for basicAuth.users.
 */
export async function passwd(
  user: string,
  iterationsText: string | undefined,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<void> {
  const iterations = iterationsText === undefined ? DEFAULT_ITERATIONS : Number(iterationsText);
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new CommandFailure(
      `refused: --iterations must be a whole number from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}`,
    );
  }
  // RFC 7617 §2: a user-id containing a colon cannot be sent.
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (user === "" || user.includes(":") || /[\s\x00-\x1f\x7f]/.test(user)) {
    throw new CommandFailure(`refused: a user name cannot be empty or contain ":", spaces or control characters`);
  }
  const password = process.stdin.isTTY ? await prompt(err) : (await readAll()).replace(/\r?\n$/, "");
  if (password === "") throw new CommandFailure("refused: empty password (pipe it in, or type it at the prompt)");
  out(`${user}:${await hashPassword(password, iterations)}`);
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads one line from the terminal without echoing it. */
function prompt(err: (text: string) => void): Promise<string> {
  process.stderr.write("password: ");
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      err("");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new CommandFailure("cancelled"));
        if (char === "\u007f") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on("data", onData);
  });
}
