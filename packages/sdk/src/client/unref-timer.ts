/**
 * Lets the host process exit while the timer is pending. Node's timers have `unref()`; browsers and
 * edge runtimes return a number and never keep anything alive, so there is nothing to do there.
 */
export function unrefTimer(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer) {
    const unref = (timer as { unref?: unknown }).unref;
    if (typeof unref === 'function') unref.call(timer);
  }
}
