import type { Client } from '@temporalio/client';
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
        if (e.workflowTaskTimedOutEventAttributes) health.taskTimeouts++;
        if (e.workflowTaskFailedEventAttributes) health.taskFailures++;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  }
  return health;
}
