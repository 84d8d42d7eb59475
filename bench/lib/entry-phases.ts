import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { summarize, type Summary } from './stats';
import { localActivityMarker } from '../../tests/harness/local-activity-marker';

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
      const local = localActivityMarker(e);
      if (local) {
        const taskStarted = times[labels.indexOf('WORKFLOW_TASK_STARTED')];
        addLocal(
          `local ${local.activityType}: workflow task started → completed`,
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
