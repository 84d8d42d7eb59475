import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter, tsToMs } from '@temporalio/common';
import { localActivityMarker } from '../../harness/local-activity-marker';

/** One activity as the workflow history records it once it has closed. */
export interface ActivityRun {
  type: string;
  /** A local activity: retried inside the worker, so its history holds no failure, only the attempt. */
  local?: true;
  /** Attempts it took; above 1 means Temporal retried it. */
  attempts: number;
  /** The failure that made Temporal retry, if it did. */
  lastFailure?: string;
  result?: unknown;
  /** How it failed for good, when Temporal stopped retrying it (`<type>: <message>`). */
  failure?: string;
  startedAt?: number;
  closedAt?: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A local activity, from its marker. */
function localRun(e: HistoryEvent): ActivityRun | undefined {
  const marker = localActivityMarker(e);
  return (
    marker && {
      type: marker.activityType,
      local: true,
      attempts: marker.attempt,
      result: marker.result,
    }
  );
}

/**
 * Reads what the faults did from the history rather than from timing: the
 * attempt count and last failure of a retried activity (the attempt count
 * alone of a local one), and each result.
 */
export async function activityRuns(handle: WorkflowHandle): Promise<ActivityRun[]> {
  const { events } = await handle.fetchHistory();
  const runs = new Map<string, ActivityRun>();
  for (const e of events ?? []) {
    const id = String(e.eventId);
    const local = localRun(e);
    if (local) runs.set(id, local);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) runs.set(id, { type: scheduled.activityType?.name ?? '?', attempts: 0 });
    const started = e.activityTaskStartedEventAttributes;
    if (started) {
      const run = runs.get(String(started.scheduledEventId))!;
      run.attempts = started.attempt ?? 1;
      run.lastFailure = started.lastFailure?.message ?? undefined;
      run.startedAt = tsToMs(e.eventTime);
    }
    const failed = e.activityTaskFailedEventAttributes;
    if (failed) {
      const run = runs.get(String(failed.scheduledEventId))!;
      const cause = failed.failure?.applicationFailureInfo?.type;
      run.failure = `${cause ?? 'failure'}: ${failed.failure?.message ?? ''}`;
      run.closedAt = tsToMs(e.eventTime);
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const run = runs.get(String(completed.scheduledEventId))!;
      const payload = completed.result?.payloads?.[0];
      run.result = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
      run.closedAt = tsToMs(e.eventTime);
    }
  }
  return [...runs.values()];
}
