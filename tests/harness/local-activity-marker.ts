import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';

/** What a local activity leaves in a history: core's `core_local_activity` marker. */
export interface LocalActivityMarker {
  activityType: string;
  /** Attempts it took inside the worker; the history holds no failure of a local activity. */
  attempt: number;
  /**
   * When it completed, on the worker's clock (ms). The marker's schedule
   * time is workflow time, not the worker's clock, so only the completion
   * compares with the server's event times.
   */
  completedAt: number;
  result?: unknown;
}

export function localActivityMarker(
  e: temporal.api.history.v1.IHistoryEvent,
): LocalActivityMarker | undefined {
  const marker = e.markerRecordedEventAttributes;
  const data = marker?.details?.data?.payloads?.[0];
  if (marker?.markerName !== 'core_local_activity' || !data) return undefined;
  const { activity_type, attempt, complete_time } = defaultPayloadConverter.fromPayload<{
    activity_type: string;
    attempt: number;
    complete_time: { seconds: number; nanos: number };
  }>(data);
  const result = marker.details?.result?.payloads?.[0];
  return {
    activityType: activity_type,
    attempt,
    completedAt: complete_time.seconds * 1000 + complete_time.nanos / 1e6,
    ...(result && { result: defaultPayloadConverter.fromPayload(result) }),
  };
}
