import type { Client } from '@temporalio/client';
import { istDateOf } from '../../src/domain/calendar';
import { accountWorkflowId } from '../../src/workflows/messages';

export interface BookHealth {
  /** Runs of the day's book (each continue-as-new starts one). */
  runs: number;
  /** History events of the longest run. */
  longestRun: number;
  /** Workflow tasks that timed out, over every run: the stall of session 4 showed as these. */
  taskTimeouts: number;
}

/** How the day's account book carried the load: its runs, their length, its timed-out tasks. */
export async function bookHealth(client: Client): Promise<BookHealth> {
  const workflowId = accountWorkflowId(istDateOf(Date.now()));
  const health: BookHealth = { runs: 0, longestRun: 0, taskTimeouts: 0 };
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    const events = history.events ?? [];
    health.runs++;
    health.longestRun = Math.max(health.longestRun, events.length);
    health.taskTimeouts += events.filter((e) => e.workflowTaskTimedOutEventAttributes).length;
  }
  return health;
}
