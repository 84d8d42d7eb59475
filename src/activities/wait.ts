/**
 * Sleeps until `ms` pass, `wake` is called, or `signal` aborts (rejecting
 * with its reason, a CancelledFailure inside an activity).
 */
export function idle(
  ms: number,
  signal: AbortSignal,
  onWakeable?: (wake: () => void) => void,
): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const wake = () => {
      done();
      resolve();
    };
    const onAbort = () => {
      done();
      reject(signal.reason);
    };
    const timer = setTimeout(wake, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
    onWakeable?.(wake);
  });
}
