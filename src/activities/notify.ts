import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createNotifier, type Notifier, type NotifierDeps } from '../adapters/notify/notifier';
import { alertEventSchema, type AlertEvent } from '../domain/alerts';
import { FailureType } from './failure-types';
import { ALERT_UNDELIVERED, NOTIFY_RETRY_MAX_INTERVAL_MS } from './notify-options';
import { parseInput } from './validation';

export type NotifyActivityDeps = NotifierDeps;

export interface NotifyResult {
  /** Channels that took the alert in this attempt. */
  delivered: string[];
  /** Enabled channels that did not need it: switched off for its kind, or delivered before. */
  skipped: string[];
}

/**
 * Whether Temporal will try again: not once the next backoff would end past
 * the schedule-to-close window (notifyOptions: one hour).
 */
function isLastAttempt(now: number, pauseMs: number): boolean {
  const info = Context.current().info;
  if (!info.scheduleToCloseTimeoutMs) return false;
  const left = info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs - now;
  return left <= Math.max(pauseMs, NOTIFY_RETRY_MAX_INTERVAL_MS);
}

/** `notifier`: the worker's one notifier, so every alert of the process shares one dedupe log. */
export function createNotifyActivities(
  deps: NotifyActivityDeps,
  notifier: Pick<Notifier, 'deliver'> = createNotifier(deps),
) {
  const now = deps.now ?? Date.now;
  const { logger } = deps;

  return {
    /**
     * Sends one alert on every enabled channel that wants its kind. A retry
     * after a partial failure sends only on the channels that failed; an id
     * already delivered on a channel within notify.retentionHours is skipped.
     */
    async notify(input: AlertEvent): Promise<NotifyResult> {
      const event = parseInput('notify', alertEventSchema, input);
      const { delivered, skipped, failed } = await notifier.deliver(event);
      if (failed.length === 0) return { delivered, skipped };

      const retryable = failed.filter((f) => f.retryable);
      const pauseMs = Math.max(0, ...retryable.map((f) => f.retryAfterMs ?? 0));
      // Each failure names its channel: "telegram: 429 Too Many Requests; email: ECONNECTION".
      const message = `alert ${event.id} not delivered: ${failed.map((f) => f.message).join('; ')}`;
      const details = { failed: failed.map((f) => f.channel), delivered, skipped };
      if (retryable.length === 0 || isLastAttempt(now(), pauseMs)) {
        logger.error(
          { alertId: event.id, kind: event.kind, workflowId: event.workflowId, ...details },
          message,
        );
      }
      if (retryable.length === 0) {
        throw ApplicationFailure.nonRetryable(message, FailureType.Misconfigured, details);
      }
      throw ApplicationFailure.create({
        message,
        type: ALERT_UNDELIVERED,
        details: [details],
        ...(pauseMs > 0 ? { nextRetryDelay: pauseMs } : {}),
      });
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
