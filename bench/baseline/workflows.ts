import {
  condition,
  defineSignal,
  defineUpdate,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

const { noop, awaitRelease } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '1 minute',
});
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

/** The bare cost of `rounds` sequential activity round trips, nothing else. */
export async function roundTripsWorkflow(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await noop(i);
}

/** The same with local activities: no server round trip per call, only the workflow task's. */
export async function localRoundTripsWorkflow(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await local.noop(i);
}

/**
 * The bare shape of our entry: a local activity updating another running
 * workflow (the reservation on the account book) beside two local
 * activities one after the other (the expiries, the option chain), then one
 * activity (the order).
 */
export async function reservedEntryWorkflow(bookId: string): Promise<void> {
  await Promise.all([local.reserve(bookId), local.noop(0).then(() => local.noop(1))]);
  await noop(2);
}

/** Start to completion with nothing in between: the workflow task's own dispatch. */
export async function emptyWorkflow(): Promise<void> {}

/**
 * The bare shape of tick-to-exit: an activity that completes when the bench
 * releases it (the price trigger), then one more activity (the exit order).
 */
export async function triggeredWorkflow(): Promise<void> {
  await awaitRelease();
  await noop(0);
}

/** A durable timer due at `fireAt` (epoch ms: a time stop, a retry back-off), then the activity it wakes. */
export async function timerWorkflow(fireAt: number): Promise<void> {
  await sleep(Math.max(1, fireAt - Date.now()));
  await noop(0);
}

export const countUpdate = defineUpdate<number, [number]>('count');
export const doneSignal = defineSignal('done');

/** An update handler as cheap as the account book's reservation: state changes, nothing awaited. */
export async function updatesWorkflow(): Promise<number> {
  let total = 0;
  let done = false;
  setHandler(countUpdate, (n) => (total += n));
  setHandler(doneSignal, () => {
    done = true;
  });
  await condition(() => done);
  return total;
}
