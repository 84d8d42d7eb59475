import { proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

const { noop, awaitRelease } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '1 minute',
});

/** The bare cost of `rounds` sequential activity round trips, nothing else. */
export async function roundTripsWorkflow(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await noop(i);
}

/**
 * The bare shape of tick-to-exit: an activity that completes when the bench
 * releases it (the price trigger), then one more activity (the exit order).
 */
export async function triggeredWorkflow(): Promise<void> {
  await awaitRelease();
  await noop(0);
}
