import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Activity stubs with explicit timeouts and retries. Broker writes are only
 * retried because placeOrder looks its tag up before placing: a retry adopts
 * the order an earlier attempt may have placed instead of placing another.
 */
const NON_RETRYABLE = ['OrderRejected', 'BrokerAuth', 'InvalidRequest'];

export const broker = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Exits retry without limit: a position must never be left open because the broker had a bad minute. */
export const exitBroker = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 0,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/**
 * The price trigger waits as long as the position is open. The heartbeat
 * timeout is what notices a dead worker: the retry re-arms the same levels
 * on a live one, and its hub fires at once if the price already crossed.
 */
export const market = proxyActivities<Activities>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '15s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 0,
  },
});

export const account = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '500ms',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 0,
  },
});
