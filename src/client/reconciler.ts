import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema';
import type { reconcilerWorkflow } from '../workflows/reconciler';
import { reconcilerWorkflowId } from '../workflows/reconciler-messages';

/**
 * Starts this deployment's reconciler, or leaves the running one alone: it
 * reconciles at once and then every `reconcile.intervalSeconds`. Every worker
 * start calls it, so a deployment is never without one.
 */
export async function ensureReconciler(client: Client, config: Config): Promise<string> {
  const workflowId = reconcilerWorkflowId(config.temporal.taskQueue);
  await client.workflow.start<typeof reconcilerWorkflow>('reconcilerWorkflow', {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [{ intervalSeconds: config.reconcile.intervalSeconds }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return workflowId;
}
