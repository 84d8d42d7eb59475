import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';

/** Where the bench hears about baseline activities, keyed by workflow id. */
export interface BaselineProbe {
  /** noop(index) started, at performance.now() and at epochMs on the wall clock (the server's clock too). */
  onNoop(workflowId: string, index: number, at: number, epochMs: number): void;
  /** awaitRelease is running; calling `release` completes it. */
  onAwaitingRelease(workflowId: string, release: () => void): void;
  /** Sends one update to the running workflow `bookId`, as a reservation reaches the account book. */
  update(bookId: string): Promise<void>;
}

export function createBaselineActivities(probe: BaselineProbe) {
  const workflowId = () => Context.current().info.workflowExecution?.workflowId ?? 'unknown';
  return {
    async noop(index: number): Promise<void> {
      probe.onNoop(workflowId(), index, performance.now(), Date.now());
    },
    async reserve(bookId: string): Promise<void> {
      await probe.update(bookId);
    },
    async awaitRelease(): Promise<void> {
      const id = workflowId();
      await new Promise<void>((resolve) => probe.onAwaitingRelease(id, resolve));
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
