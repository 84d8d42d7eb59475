import type { ActivityOptions } from '@temporalio/common';
import { FailureType } from './failure-types';

/**
 * Options for the notify activity. Constants only, so workflow code can use
 * them with proxyActivities.
 */

/** Thrown when a channel failed in a way a later try can fix; retried. */
export const ALERT_UNDELIVERED = 'AlertUndelivered';

/** Backoff cap: a flapping Telegram or SMTP relay is tried at least once a minute. */
export const NOTIFY_RETRY_MAX_INTERVAL_MS = 60_000;

/**
 * Channels send in parallel, each bounded by notify.timeoutMs (at most 20 s),
 * so one attempt fits in 30 s. After an hour the alert is stale: the activity
 * logs it at error level on its last attempt and the workflow sees the failure.
 * A wrong token, chat or address (Misconfigured) is not retried at all.
 */
export const notifyOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: NOTIFY_RETRY_MAX_INTERVAL_MS,
    nonRetryableErrorTypes: [FailureType.InvalidRequest, FailureType.Misconfigured],
  },
};
