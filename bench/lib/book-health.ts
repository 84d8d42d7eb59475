import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { istDateOf } from '../../src/domain/calendar';
import { accountWorkflowId } from '../../src/workflows/messages';

export interface BookHealth {
  /** Runs of the day's book (each continue-as-new starts one). */
  runs: number;
  /** History events and bytes of the longest run. */
  longestRun: { events: number; bytes: number };
  /** Workflow tasks that timed out or failed, over every run: session 4's stall showed as these. */
  taskTimeouts: number;
  taskFailures: number;
  /**
   * When each timed-out task was written and why: a sticky task left on a
   * killed worker's queue (SCHEDULE_TO_START) is the kill's, one that ran
   * past its timeout (START_TO_CLOSE) is the book's own load.
   */
  timeouts: { atEpochMs: number; type: string }[];
}

/**
 * A book's run can hold more than one gRPC message (4 MiB): read it a page
 * at a time. At 2,000 positions a marks update carries the mark of every
 * position that moved on its worker; a page of 100 events reached 4.6 MB.
 */
const PAGE_EVENTS = 10;

/** How the day's account book carried the load: its runs, their length, its failed tasks. */
export async function bookHealth(client: Client): Promise<BookHealth> {
  const workflowId = accountWorkflowId(istDateOf(Date.now()));
  const health: BookHealth = {
    runs: 0,
    longestRun: { events: 0, bytes: 0 },
    taskTimeouts: 0,
    taskFailures: 0,
    timeouts: [],
  };
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    health.runs++;
    if (run.historyLength > health.longestRun.events)
      health.longestRun = { events: run.historyLength, bytes: run.historySize ?? 0 };
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, runId: run.runId },
        maximumPageSize: PAGE_EVENTS,
        nextPageToken,
      });
      for (const e of page.history?.events ?? []) {
        const timedOut = e.workflowTaskTimedOutEventAttributes;
        if (timedOut) {
          health.taskTimeouts++;
          health.timeouts.push({
            atEpochMs: Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6,
            type: temporal.api.enums.v1.TimeoutType[timedOut.timeoutType ?? 0] ?? 'unknown',
          });
        }
        if (e.workflowTaskFailedEventAttributes) health.taskFailures++;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
  return health;
}

/** The book's timed-out tasks as `TYPE at ±s` from a moment (a kill), for a result's note. */
export const timeoutsAround = (health: BookHealth, epochMs: number): string =>
  health.timeouts
    .map((t) => {
      const s = (t.atEpochMs - epochMs) / 1000;
      return `${t.type.replace(/^TIMEOUT_TYPE_/, '')} at ${s >= 0 ? '+' : ''}${s.toFixed(1)} s`;
    })
    .join(', ') || 'none';
