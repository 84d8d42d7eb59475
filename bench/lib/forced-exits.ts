import type { Client } from '@temporalio/client';
import { forceExitSignal } from '../../src/workflows/messages';
import type { OpenPosition } from './open';
import { within } from './rendezvous';
import type { BenchStack } from './stack';

/**
 * Positions whose price trigger is running on the worker process `pid` and
 * on any other, up to `wanted` each, read from the server's pending
 * activities (the SDK's default worker identity is `pid@host`).
 */
export async function byTriggerWorker(
  client: Client,
  positions: readonly OpenPosition[],
  pid: number,
  wanted: number,
): Promise<{ on: OpenPosition[]; elsewhere: OpenPosition[] }> {
  const on: OpenPosition[] = [];
  const elsewhere: OpenPosition[] = [];
  for (const p of positions) {
    if (on.length >= wanted && elsewhere.length >= wanted) break;
    const { raw } = await client.workflow.getHandle(p.workflowId).describe();
    const trigger = raw.pendingActivities?.find(
      (a) => a.activityType?.name === 'awaitPriceTrigger',
    );
    if (!trigger?.lastWorkerIdentity) continue;
    const side = trigger.lastWorkerIdentity.startsWith(`${pid}@`) ? on : elsewhere;
    if (side.length < wanted) side.push(p);
  }
  return { on, elsewhere };
}

/**
 * An operator's force exit (the CLI's signal) to each position at once;
 * resolves with each one's time from `from` to its exit order at the
 * exchange, or undefined if none came within `withinMs`.
 */
export async function forceExits(
  stack: BenchStack,
  positions: readonly OpenPosition[],
  from: number,
  withinMs: number,
): Promise<(number | undefined)[]> {
  return Promise.all(
    positions.map(async (p) => {
      const received = stack.clock.orderReceived(p.exitTag);
      await stack.client.workflow
        .getHandle(p.workflowId)
        .signal(forceExitSignal, 'bench: failover');
      const at = await within(received, withinMs);
      return at === undefined ? undefined : at - from;
    }),
  );
}
