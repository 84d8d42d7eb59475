import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { summarize, type Summary } from './stats';

const EventType = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const millisOf = (e: HistoryEvent): number => {
  const t = e.eventTime!;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
};

/** `ActivityTaskScheduled getOptionChain`, `MarkerRecorded`, `WorkflowTaskStarted`, ... */
function labelOf(e: HistoryEvent, activities: Map<string, string>): string {
  const type = EventType[e.eventType!].replace(/^EVENT_TYPE_/, '');
  const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
  if (name) activities.set(String(e.eventId), name);
  const scheduledId =
    e.activityTaskStartedEventAttributes?.scheduledEventId ??
    e.activityTaskCompletedEventAttributes?.scheduledEventId;
  const activity = name ?? (scheduledId != null ? activities.get(String(scheduledId)) : undefined);
  return activity ? `${type} ${activity}` : type;
}

const millisOfTimestamp = (t: { seconds: number; nanos: number }) =>
  t.seconds * 1000 + t.nanos / 1e6;

/**
 * A local activity's completion, from its marker (core's `core_local_activity`
 * data). Its `original_schedule_time` is workflow time, not the worker's
 * clock, so only the completion is comparable with the server's event times.
 */
function localActivityOf(e: HistoryEvent): { type: string; completedAt: number } | undefined {
  const marker = e.markerRecordedEventAttributes;
  const data = marker?.details?.data?.payloads?.[0]?.data;
  if (marker?.markerName !== 'core_local_activity' || !data) return undefined;
  const parsed = JSON.parse(Buffer.from(data).toString()) as {
    activity_type: string;
    complete_time: { seconds: number; nanos: number };
  };
  return { type: parsed.activity_type, completedAt: millisOfTimestamp(parsed.complete_time) };
}

export interface Phase {
  /** The event that ends the step, as `from → to`. */
  step: string;
  ms: Summary;
}

/**
 * Where the time between a position's start and its entry order's activity
 * goes, by the server's own event times: each step between consecutive
 * history events up to the order activity's start (`until`), summarised over the
 * positions whose histories share the most common sequence of steps.
 */
export async function entryPhases(
  client: Client,
  workflowIds: string[],
  until = 'ACTIVITY_TASK_STARTED placeOrder',
): Promise<Phase[]> {
  const timelines = new Map<string, number[][]>();
  // Inside the first workflow task the server sees nothing: the local activities' markers
  // say when each completed, on the worker's clock.
  const locals = new Map<string, number[]>();
  const addLocal = (step: string, ms: number) =>
    locals.set(step, [...(locals.get(step) ?? []), ms]);
  for (const id of workflowIds) {
    const { events } = await client.workflow.getHandle(id).fetchHistory();
    const activities = new Map<string, string>();
    const labels: string[] = [];
    const times: number[] = [];
    for (const e of events ?? []) {
      const label = labelOf(e, activities);
      labels.push(label);
      times.push(millisOf(e));
      const local = localActivityOf(e);
      if (local) {
        const taskStarted = times[labels.indexOf('WORKFLOW_TASK_STARTED')];
        addLocal(
          `local ${local.type}: workflow task started → completed`,
          local.completedAt - taskStarted,
        );
      }
      if (label === until) break;
    }
    const key = labels.join('|');
    timelines.set(key, [...(timelines.get(key) ?? []), times]);
  }
  const [key, runs] = [...timelines.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!key || !runs) return [];
  const labels = key.split('|');
  return [
    ...labels.slice(1).map((to, i) => ({
      step: `${labels[i]} → ${to}`,
      ms: summarize(runs.map((t) => t[i + 1] - t[i])),
    })),
    ...[...locals].map(([step, ms]) => ({ step, ms: summarize(ms) })),
  ];
}
