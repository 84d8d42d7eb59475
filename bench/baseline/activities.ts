import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';

/** Where the bench hears about baseline activities, keyed by workflow id. */
export interface BaselineProbe {
  /** noop(index) started, at performance.now(). */
  onNoop(workflowId: string, index: number, at: number): void;
  /** awaitRelease is running; calling `release` completes it. */
  onAwaitingRelease(workflowId: string, release: () => void): void;
}

export function createBaselineActivities(probe: BaselineProbe) {
  const workflowId = () => Context.current().info.workflowExecution?.workflowId ?? 'unknown';
  return {
    async noop(index: number): Promise<void> {
      probe.onNoop(workflowId(), index, performance.now());
    },
    async awaitRelease(): Promise<void> {
      const id = workflowId();
      await new Promise<void>((resolve) => probe.onAwaitingRelease(id, resolve));
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
