import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { positionStateQuery, type PositionState } from '../workflows/messages';
import { mapBounded } from './bounded';

const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export const RUNNING_POSITIONS = `WorkflowType = 'positionWorkflow' AND ExecutionStatus = 'Running'`;

/**
 * Executions per listing page. The worker decodes a page in one go on the
 * thread that also serves the trigger waits; a page of a thousand held it
 * for tens of milliseconds every reconciler run (bench/README.md, session 19).
 */
const LIST_PAGE_SIZE = 100;

const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

export interface RunningFilter {
  /**
   * The deployment's task queue: one deployment trades one broker account,
   * so positions of other task queues in the namespace are not siblings (and
   * their workers may be down, which would hang every query on them).
   */
  taskQueue: string;
  tradingsymbol?: string;
  exclude?: string;
}

interface StateRead {
  runId: string;
  /** The run's history length when the read began: the state answers for at least these events. */
  historyLength: number;
  state: PositionState;
}

/**
 * The last state read of each running position, with its history's length
 * at the read. A workflow's state changes only by new events, so while the
 * length stands the state does too, and a describe (answered by the server
 * from the run's own record) stands in for the query (a workflow task on a
 * worker, and a replay there when the position is not in its cache). A
 * sweep of parked positions then asks no worker anything, and after a
 * worker dies its positions are not replayed on the survivor just to be
 * counted (bench/README.md, session 15).
 */
export class PositionStates {
  private readonly reads = new Map<string, StateRead>();

  constructor(
    private readonly client: Client,
    private readonly pageSize = LIST_PAGE_SIZE,
  ) {}

  /**
   * The running positions and their own view of themselves, as current as
   * their histories. Visibility only finds them; a position started a
   * moment ago is visible well before it holds anything.
   */
  async running(
    filter: RunningFilter,
    {
      known = () => undefined,
      inFlight = 1,
      onRead,
    }: {
      /** A state read moments ago that still stands for this position, so it is not asked again. */
      known?: (workflowId: string) => PositionState | undefined;
      /** Reads at once. */
      inFlight?: number;
      /** After each position read: a long sweep heartbeats here. */
      onRead?: () => void;
    } = {},
  ): Promise<{ workflowId: string; state: PositionState }[]> {
    const query = [
      RUNNING_POSITIONS,
      `TaskQueue = ${quoted(filter.taskQueue)}`,
      ...(filter.tradingsymbol ? [`TradingSymbol = ${quoted(filter.tradingsymbol)}`] : []),
    ].join(' AND ');
    const listed = (await this.list(query)).filter(
      ({ workflowId }) => workflowId !== filter.exclude,
    );
    const states = await mapBounded(listed, inFlight, ({ workflowId, runId }) => {
      const state = known(workflowId);
      if (state) return Promise.resolve(state);
      return this.read(workflowId, runId)
        .catch((err: unknown) => {
          // A run that ended between the listing and the read holds nothing (NOT_FOUND from the service, "not found" from the SDK).
          if (/completed|not.found/i.test(String(err))) return undefined;
          throw err;
        })
        .finally(onRead);
    });
    // Every running position of the deployment was listed: the rest have ended.
    if (!filter.tradingsymbol && !filter.exclude)
      this.keepOnly(new Set(listed.map(({ workflowId }) => workflowId)));
    return listed.flatMap(({ workflowId }, i) => {
      const state = states[i];
      return state ? [{ workflowId, state }] : [];
    });
  }

  /**
   * The executions a visibility query finds. The service's own calls, not
   * the SDK's list and describe: those decode every search attribute and memo
   * of every execution, and a sweep wants ids, a status and a length.
   */
  private async list(query: string): Promise<{ workflowId: string; runId: string }[]> {
    const { namespace } = this.client.options;
    const listed: { workflowId: string; runId: string }[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listWorkflowExecutions({
        namespace,
        query,
        pageSize: this.pageSize,
        nextPageToken,
      });
      for (const { execution } of page.executions)
        if (execution?.workflowId && execution.runId)
          listed.push({ workflowId: execution.workflowId, runId: execution.runId });
      nextPageToken = page.nextPageToken;
    } while (nextPageToken?.length);
    return listed;
  }

  /** The run's state as of now. */
  private async read(workflowId: string, runId: string): Promise<PositionState> {
    const handle = this.client.workflow.getHandle(workflowId, runId);
    const { workflowExecutionInfo: info } =
      await this.client.workflowService.describeWorkflowExecution({
        namespace: this.client.options.namespace,
        execution: { workflowId, runId },
      });
    const historyLength = info?.historyLength?.toNumber() ?? 0;
    if (info?.status !== RUNNING) {
      this.reads.delete(workflowId);
      // Ended since it was listed: its last state says what it held (a run that
      // continued as new still holds it).
      return handle.query(positionStateQuery);
    }
    const last = this.reads.get(workflowId);
    if (last?.runId === runId && last.historyLength === historyLength) return last.state;
    // The query sees every event written before it was sent, so at least `historyLength` of them.
    const state = await handle.query(positionStateQuery);
    this.reads.set(workflowId, { runId, historyLength, state });
    return state;
  }

  private keepOnly(workflowIds: ReadonlySet<string>): void {
    for (const id of this.reads.keys()) if (!workflowIds.has(id)) this.reads.delete(id);
  }

  get size(): number {
    return this.reads.size;
  }
}
