import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { istDateOf } from '../domain/calendar';
import {
  accountSummaryQuery,
  accountWorkflowId,
  type AccountSummary,
  type Phase,
} from '../workflows/messages';
import type { TradingMetrics } from './trading-metrics';

/** The phases a running position workflow can be in; the others end the workflow. */
const RUNNING_PHASES = [
  'VALIDATING',
  'RESERVING',
  'SELECTING',
  'ENTERING',
  'OPEN',
  'EXITING',
] as const satisfies readonly Phase[];

export interface PositionCountsOptions {
  client: Client;
  taskQueue: string;
  metrics: Pick<TradingMetrics, 'positions' | 'exitBlocked' | 'needsAttention' | 'pnl'>;
  intervalMs: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * Sets the visibility gauges (positions by phase, exit-blocked and
 * needs-attention counts) and today's P&L from the account book, every
 * `intervalMs`. Counting is one visibility request per value, so the cost is
 * the same with three positions or three hundred. A failed read keeps the
 * last values: a gap in Temporal is not a change in the positions.
 */
export class PositionCounts {
  private timer: NodeJS.Timeout | undefined;
  private readonly running: string;
  private readonly now: () => number;
  private failing = false;

  constructor(private readonly options: PositionCountsOptions) {
    this.now = options.now ?? Date.now;
    const queue = options.taskQueue.replace(/'/g, "\\'");
    this.running = `WorkflowType = 'positionWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${queue}'`;
  }

  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    const { metrics } = this.options;
    try {
      const [phases, blocked, attention, summary] = await Promise.all([
        Promise.all(RUNNING_PHASES.map((phase) => this.count(`Phase = '${phase}'`))),
        this.count('ExitBlocked = true'),
        this.count('NeedsAttention = true'),
        this.todaysBook(),
      ]);
      RUNNING_PHASES.forEach((phase, i) => metrics.positions.set({ phase }, phases[i]));
      metrics.exitBlocked.set(blocked);
      metrics.needsAttention.set(attention);
      metrics.pnl.set({ kind: 'realised' }, summary?.realisedPnl ?? 0);
      metrics.pnl.set({ kind: 'open' }, summary?.openPnl ?? 0);
      if (this.failing) this.options.logger?.info('position metrics readable again');
      this.failing = false;
    } catch (err) {
      if (!this.failing)
        this.options.logger?.warn(
          { error: (err as Error).message },
          'position metrics not refreshed; keeping the last values',
        );
      this.failing = true;
    }
  }

  private async count(clause: string): Promise<number> {
    return (await this.options.client.workflow.count(`${this.running} AND ${clause}`)).count;
  }

  /** Undefined before the day's first reservation: no book yet, nothing made or lost. */
  private async todaysBook(): Promise<AccountSummary | undefined> {
    const handle = this.options.client.workflow.getHandle(accountWorkflowId(istDateOf(this.now())));
    try {
      return await handle.query(accountSummaryQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }
}
