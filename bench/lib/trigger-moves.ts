import type { Client } from '@temporalio/client';
import { summarize, type Summary } from './stats';

export interface TriggerMoves {
  /**
   * Kill → the server starting the trigger's retry on the survivor, from the
   * Started event of the attempt that fired, for each sampled position
   * whose trigger ran again after the kill.
   */
  retryStartedAfterKill: Map<string, number>;
  /** Positions whose trigger had not completed when they were read, as the server describes it. */
  pending: { workflowId: string; attempt: number; state: string; lastFailure?: string }[];
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : NaN;

/**
 * The server's half of a failover: for each sampled position, when its
 * price trigger's retry started after the kill (the heartbeat timeout,
 * back-off and dispatch), apart from the survivor's time to place the exit.
 * Read afterwards from the histories (a retried activity's Started event
 * is written when it closes, stamped with the attempt's start), so it adds
 * no load while the failover runs.
 */
export async function triggerMoves(
  client: Client,
  workflowIds: readonly string[],
  killedAtEpochMs: number,
): Promise<TriggerMoves> {
  const started = new Map<string, number>();
  const pending: TriggerMoves['pending'] = [];
  for (const workflowId of workflowIds) {
    const handle = client.workflow.getHandle(workflowId);
    const { events } = await handle.fetchHistory();
    const triggers = new Set<string>();
    let retryAt: number | undefined;
    for (const e of events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'awaitPriceTrigger') triggers.add(String(e.eventId));
      const start = e.activityTaskStartedEventAttributes;
      if (start && triggers.has(String(start.scheduledEventId)) && (start.attempt ?? 1) > 1) {
        const at = ms(e.eventTime);
        if (at >= killedAtEpochMs) retryAt = at - killedAtEpochMs;
      }
    }
    if (retryAt !== undefined) started.set(workflowId, retryAt);
    const { raw } = await handle.describe();
    const open = raw.pendingActivities?.find((a) => a.activityType?.name === 'awaitPriceTrigger');
    if (open)
      pending.push({
        workflowId,
        attempt: open.attempt ?? 1,
        state: String(open.state),
        ...(open.lastFailure?.message ? { lastFailure: open.lastFailure.message } : {}),
      });
  }
  return { retryStartedAfterKill: started, pending };
}

/** How many triggers were retried after the kill, and how long after it their retries started. */
export const retriesOf = (moves: TriggerMoves): { retried: number; retryStarted: Summary } => ({
  retried: moves.retryStartedAfterKill.size,
  retryStarted: summarize([...moves.retryStartedAfterKill.values()]),
});
