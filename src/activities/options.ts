import type { ActivityOptions } from '@temporalio/common';
import { FailureType } from './failure-types';

/**
 * Recommended options for every activity. No runtime imports beyond
 * constants, so workflow code can use them with proxyActivities.
 *
 * Broker writes: placeOrder is retried only because every attempt first
 * looks its tag up at the broker and adopts what it finds (invariant 1). The
 * first retry waits a few seconds so an order accepted after a lost
 * response has landed in the order book before that look-up. Never call
 * placeOrder with a policy that has a shorter initial interval, and never
 * reuse a tag for a different intent: a new attempt after OrderRejected needs
 * orderTag(workflowId, leg, attempt + 1).
 */

const NEVER_RETRY = [
  FailureType.OrderRejected,
  FailureType.InvalidRequest,
  FailureType.TagConflict,
  FailureType.Misconfigured,
];

/**
 * placeOrder heartbeats before every broker call (7 s client timeout) and
 * after each look-up pause (at most 3 s), so a worker that dies mid-placement
 * is noticed in 15 s rather than at the 45 s close timeout: an exit waits
 * that much less for its retry on a healthy worker.
 */
const PLACE_HEARTBEAT = '15s';

/** Entry orders give up on auth failures: better no position than one we cannot manage. */
export const placeEntryOrderOptions: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: PLACE_HEARTBEAT,
  retry: {
    initialInterval: '3s',
    backoffCoefficient: 2,
    maximumInterval: '15s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [...NEVER_RETRY, FailureType.BrokerAuth],
  },
};

/** Exit orders never give up on transient or auth trouble: an open position must be closed (invariant 2). */
export const placeExitOrderOptions: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: PLACE_HEARTBEAT,
  retry: {
    initialInterval: '3s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    nonRetryableErrorTypes: NEVER_RETRY,
  },
};

/** Reading or cancelling a known order: keep trying, unless the broker says the order does not exist. */
const orderReadRetry: ActivityOptions['retry'] = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '10s',
  nonRetryableErrorTypes: [FailureType.InvalidRequest, FailureType.BrokerRejected],
};

/** awaitOrder keeps its deadline across retries (heartbeat details), so the close timeout only needs slack on top. */
export const awaitOrderOptions = (timeoutSeconds: number): ActivityOptions => ({
  startToCloseTimeout: `${timeoutSeconds + 60}s`,
  heartbeatTimeout: '10s',
  retry: orderReadRetry,
});

export const cancelOrderOptions: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: '10s',
  retry: orderReadRetry,
};

/** Reads before entry: a bounded number of tries, then the workflow decides (ENTRY_FAILED). */
export const marketDataOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [
      FailureType.InvalidRequest,
      FailureType.BrokerRejected,
      FailureType.BrokerAuth,
    ],
  },
};

/**
 * A supervision wait may last the whole session. The short heartbeat timeout
 * is what moves it to a live worker within seconds of a crash, or of its tick
 * feed being down past the hub's grace period (30 s); retries are unlimited
 * because re-arming is free and an open position must stay watched.
 */
export const awaitPriceTriggerOptions: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '10s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    nonRetryableErrorTypes: [FailureType.InvalidRequest, FailureType.Misconfigured],
  },
};

/**
 * The broker's positions and trades before an exit round. A few tries, then
 * the workflow sees the failure, flags the position and retries the round
 * with its own backoff: an exit must never wait silently inside a retry.
 */
export const brokerTruthOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 4,
    nonRetryableErrorTypes: [FailureType.InvalidRequest, FailureType.BrokerRejected],
  },
};
