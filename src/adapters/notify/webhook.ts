import { isRetryableStatus, postJson, retryAfterMs } from './http';
import { DeliveryError, truncate, type Channel } from './types';

/** Discord refuses a `content` longer than this; Slack's `text` limit is far above it. */
const DISCORD_CONTENT_LIMIT = 2000;

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
}

/**
 * One JSON POST that Slack (`text`) and Discord (`content`) incoming webhooks
 * both accept, each ignoring the other's field; `alert` carries the
 * structured event for anything else listening.
 */
export function createWebhookChannel(options: WebhookOptions): Channel {
  return {
    name: 'webhook',
    async send({ event, text, uiLink }) {
      const answer = await postJson(
        'webhook',
        options.url,
        {
          text,
          content: truncate(text, DISCORD_CONTENT_LIMIT),
          alert: { ...event, ...(uiLink ? { uiLink } : {}) },
        },
        options.timeoutMs,
      );
      if (answer.status >= 200 && answer.status < 300) return;
      const retryable = isRetryableStatus(answer.status);
      // Slack says why in a word ("invalid_payload", "no_service"); the URL stays out of it.
      // Redacted before the cut, so no fragment of the URL survives it.
      const why = answer.body
        .split(options.url)
        .join('[redacted]')
        .slice(0, 100)
        .replace(/\s+/g, ' ')
        .trim();
      throw new DeliveryError(
        'webhook',
        `HTTP ${answer.status}${why ? ` ${why}` : ''}${retryable ? '' : ' (check TRADER_ALERT_WEBHOOK_URL)'}`,
        retryable,
        retryAfterMs(answer.retryAfterHeader),
      );
    },
  };
}
