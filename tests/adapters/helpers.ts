import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createKiteBroker, type KiteBroker } from '../../src/adapters/kite/client';
import { createActivities, type Activities } from '../../src/activities';
import type { ActivityDeps } from '../../src/activities/deps';
import type { ExchangeOptions } from '../../src/exchange';
import { CREDS, startTestExchange } from '../exchange/helpers';

export { CREDS };

/** Short look-up pauses: the paper exchange records an order before it drops the response. */
export const FAST_TIMING = {
  lookupDelaysMs: [50, 100, 200],
  orderPollMs: 100,
  cancelSettleMs: 2_000,
};

export async function startAdapterEnv(overrides: Partial<ExchangeOptions> = {}) {
  const env = await startTestExchange(overrides);
  const broker = createKiteBroker({
    restUrl: env.ex.restUrl,
    apiKey: CREDS.apiKey,
    accessToken: CREDS.accessToken,
    timeoutMs: 3_000,
  });
  return { ...env, broker };
}

export const activitiesFor = (broker: KiteBroker, deps: Partial<ActivityDeps> = {}): Activities =>
  createActivities({ broker, timing: FAST_TIMING, ...deps });

/** Runs an activity with a real activity Context (heartbeats, cancellation), no server needed. */
export function activityEnv(): MockActivityEnvironment {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
}

/** MockActivityEnvironment.run loses the activity's result type; this keeps it. */
export const runIn = <A extends unknown[], R>(
  env: MockActivityEnvironment,
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => env.run(fn, ...args) as Promise<R>;

export const run = <A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  ...args: A
): Promise<R> => runIn(activityEnv(), fn, ...args);

/** The ApplicationFailure an activity threw, for asserting its type and retryability. */
export async function failureOf(
  promise: Promise<unknown>,
): Promise<{ type?: string; nonRetryable?: boolean; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { type?: string; nonRetryable?: boolean; message: string };
  }
  throw new Error('expected the activity to fail');
}
