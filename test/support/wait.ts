/** Resolves as `promise` does, or rejects with `message` after `ms`: a clear failure instead of a test timeout. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it holds; rejects with `message` after `ms` (log lines arrive a moment after the reply). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 3000,
  message = "condition not met in time",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
