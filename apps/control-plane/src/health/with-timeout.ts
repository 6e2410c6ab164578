/** A dependency that did not answer in time; health checks report it as down with this message. */
export class DependencyTimeoutError extends Error {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not answer within ${timeoutMs} ms`);
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * `work`, or a {@link DependencyTimeoutError} after `timeoutMs`, whichever comes first. The timer is
 * unref'd and cleared, so a pending check never keeps the process alive.
 */
export async function withTimeout<Value>(
  work: Promise<Value>,
  timeoutMs: number,
  what: string,
): Promise<Value> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(what, timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
