import { ActivityFailure, ApplicationFailure, condition, workflowInfo } from '@temporalio/workflow';
import type { PositionContext } from './position-context';

/** Default cap of the retry backoff after entry, for runs whose rules predate exits.retryMaxSeconds. */
const DEFAULT_RETRY_CAP_S = 60;

/** An activity failure's own message and type, not the SDK's "Activity task failed" wrapper. */
export function describeFailure(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) return `${cause.type}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}

export const failureType = (err: unknown): string | undefined => {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
};

/** The wait before retry number `failures + 1`: 1 s doubling to the configured cap. */
export const retryDelayMs = (ctx: PositionContext, failures: number): number =>
  Math.min(
    (ctx.rules.exits.retryMaxSeconds ?? DEFAULT_RETRY_CAP_S) * 1000,
    1000 * 2 ** Math.min(failures, 16),
  );

/**
 * Waits out a retry delay, but no longer than `until` (the square-off, say),
 * and wakes at once on any operator message, so a force exit or a resume is
 * acted on without waiting for the backoff.
 */
export async function backOff(
  ctx: PositionContext,
  delayMs: number,
  until?: number,
): Promise<void> {
  const seen = ctx.messages;
  // A deadline already past (the square-off came and went) must not turn the backoff into a spin.
  const left = until === undefined ? Infinity : until - Date.now();
  await condition(() => ctx.messages !== seen, left > 0 ? Math.min(delayMs, left) : delayMs);
}

/** The run should continue as new: the server suggests it, or the history reached the rules' limit. */
export function historyIsLong(ctx: PositionContext): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= ctx.rules.historyLimit;
}
