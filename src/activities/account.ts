import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from './failure-types';
import type { Config } from '../config/schema';
import type { AccountInput, accountWorkflow } from '../workflows/account';
import {
  accountTaskQueue,
  accountWorkflowId,
  entryGateSignal,
  releaseUpdate,
  reserveUpdate,
  type ReleaseResult,
  type ReserveResult,
} from '../workflows/messages';

export interface AccountActivityDeps {
  client: Client;
  /** The positions' task queue; the book runs on its own beside it. */
  taskQueue: string;
  risk: Config['risk'];
  /** The book continues as new after this many history events. */
  historyLimit?: number;
}

/** A completed book refuses the start, so update-with-start cannot begin an empty one. */
async function onOpenBook<T>(day: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw ApplicationFailure.nonRetryable(
        `the account book for ${day} has closed`,
        FailureType.AccountClosed,
      );
    throw err;
  }
}

/**
 * The account book is a workflow; positions reach it through these
 * activities with update-with-start, so the day's book starts itself on the
 * first reservation. Update ids make a retried activity a no-op.
 */
export function createAccountActivities({
  client,
  taskQueue,
  risk,
  historyLimit,
}: AccountActivityDeps) {
  const startOptions = (day: string) => ({
    workflowId: accountWorkflowId(day),
    taskQueue: accountTaskQueue(taskQueue),
    args: [{ day, risk, ...(historyLimit !== undefined && { historyLimit }) }] as [AccountInput],
    // A book that completed keeps its totals: only a terminated one (the operator's "forget it") restarts.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
  });
  const startAccount = (day: string) =>
    new WithStartWorkflowOperation<typeof accountWorkflow>('accountWorkflow', {
      ...startOptions(day),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  return {
    async reserveRisk(req: {
      day: string;
      positionId: string;
      capital: number;
      adopted?: boolean;
    }): Promise<ReserveResult> {
      return onOpenBook(req.day, () =>
        client.workflow.executeUpdateWithStart(reserveUpdate, {
          args: [
            {
              positionId: req.positionId,
              capital: req.capital,
              ...(req.adopted && { adopted: true }),
            },
          ],
          updateId: `reserve-${req.positionId}`,
          startWorkflowOperation: startAccount(req.day),
        }),
      );
    },

    /** Reconciliation opens or closes the day's gate for new entries, starting the book if need be. */
    async setEntryGate(req: { day: string; blocked: boolean; reason: string }): Promise<void> {
      await onOpenBook(req.day, () =>
        client.workflow.signalWithStart<
          typeof accountWorkflow,
          [{ blocked: boolean; reason: string }]
        >('accountWorkflow', {
          ...startOptions(req.day),
          signal: entryGateSignal,
          signalArgs: [{ blocked: req.blocked, reason: req.reason }],
        }),
      );
    },

    async releaseRisk(req: {
      day: string;
      positionId: string;
      realisedPnl: number;
    }): Promise<ReleaseResult> {
      return onOpenBook(req.day, () =>
        client.workflow.executeUpdateWithStart(releaseUpdate, {
          args: [{ positionId: req.positionId, realisedPnl: req.realisedPnl }],
          updateId: `release-${req.positionId}`,
          startWorkflowOperation: startAccount(req.day),
        }),
      );
    },
  };
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
