import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities as BrokerAndMarket } from '../activities';
import type { AccountActivities } from '../activities/account';
import type { PositionActivities } from '../activities/positions';
import {
  awaitOrderOptions,
  awaitPriceTriggerOptions,
  brokerTruthOptions,
  cancelOrderOptions,
  marketDataOptions,
  placeEntryOrderOptions,
  placeExitOrderOptions,
} from '../activities/options';

type Activities = BrokerAndMarket & AccountActivities & PositionActivities;

/**
 * One stub per retry regime. Broker writes are only retried because
 * placeOrder looks its tag up before placing: a retry adopts the order an
 * earlier attempt may have placed instead of placing another.
 */
export const entryBroker = proxyActivities<Activities>(placeEntryOrderOptions);
export const exitBroker = proxyActivities<Activities>(placeExitOrderOptions);
export const orders = proxyActivities<Activities>(cancelOrderOptions);
export const marketData = proxyActivities<Activities>(marketDataOptions);
export const market = proxyActivities<Activities>(awaitPriceTriggerOptions);
/** Reads of the broker's book before an exit; bounded, so a refusal reaches the workflow and is flagged. */
export const brokerTruth = proxyActivities<Activities>(brokerTruthOptions);

/** awaitOrder's close timeout follows the fill timeout it is given. */
export const orderWaiter = (timeoutSeconds: number) =>
  proxyActivities<Activities>(awaitOrderOptions(timeoutSeconds));

const accountRetry: RetryPolicy = {
  initialInterval: '500ms',
  backoffCoefficient: 2,
  maximumInterval: '10s',
};

/** The account book must hear every reservation and release; there is no giving up on it. */
export const account = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: accountRetry,
});

/**
 * The reads before entry and the reservation run as local activities, in
 * the worker that runs the workflow task: the instruments dump is cached in
 * that worker, the spot comes from its tick hub, and each saves a round
 * trip through the server's task queues on the way to the entry order.
 * They hold nothing at the broker, so running them again is harmless.
 */
export const localMarketData = proxyLocalActivities<Activities>(marketDataOptions);
export const localAccount = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: accountRetry,
});
