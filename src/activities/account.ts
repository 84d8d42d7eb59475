import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { Config } from '../config/schema';
import {
  accountWorkflowId,
  releaseUpdate,
  reserveUpdate,
  type AccountSummary,
  type ReserveResult,
} from '../workflows/messages';

export interface AccountActivityDeps {
  client: Client;
  taskQueue: string;
  risk: Config['risk'];
}

/**
 * The account book is a workflow; positions reach it through these
 * activities with update-with-start, so the day's book starts itself on the
 * first reservation. Update ids make a retried activity a no-op.
 */
export function createAccountActivities({ client, taskQueue, risk }: AccountActivityDeps) {
  const startAccount = (day: string) =>
    new WithStartWorkflowOperation('accountWorkflow', {
      workflowId: accountWorkflowId(day),
      taskQueue,
      args: [{ day, risk }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });

  return {
    async reserveRisk(req: {
      day: string;
      positionId: string;
      capital: number;
    }): Promise<ReserveResult> {
      return client.workflow.executeUpdateWithStart(reserveUpdate, {
        args: [{ positionId: req.positionId, capital: req.capital }],
        updateId: `reserve-${req.positionId}`,
        startWorkflowOperation: startAccount(req.day),
      });
    },

    async releaseRisk(req: {
      day: string;
      positionId: string;
      realisedPnl: number;
    }): Promise<AccountSummary> {
      return client.workflow.executeUpdateWithStart(releaseUpdate, {
        args: [{ positionId: req.positionId, realisedPnl: req.realisedPnl }],
        updateId: `release-${req.positionId}`,
        startWorkflowOperation: startAccount(req.day),
      });
    },
  };
}

export type AccountActivities = ReturnType<typeof createAccountActivities>;
