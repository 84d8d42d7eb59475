import type { Logger } from 'pino';
import { workflowUiUrl } from '../../client/links';
import type { Config } from '../../config/schema';
import { MissingSecretError, secretValues, type Secrets } from '../../config/secrets';
import { formatAlert, type AlertEvent } from '../../domain/alerts';
import { scrubber } from '../../log';
import { createEmailChannel } from './email';
import { SentLog } from './sent-log';
import { createTelegramChannel } from './telegram';
import { DeliveryError, type Channel, type ChannelName, type OutgoingAlert } from './types';
import { createWebhookChannel } from './webhook';

export interface NotifierDeps {
  config: Config;
  secrets: Secrets;
  logger: Logger;
  /** The clock of the retention window; tests pass their own. */
  now?: () => number;
}

export interface DeliveryReport {
  /** Channels that took the alert just now. */
  delivered: ChannelName[];
  /** Enabled channels that did not need it: switched off for this kind, or already delivered. */
  skipped: ChannelName[];
  failed: DeliveryError[];
}

export interface Notifier {
  deliver(event: AlertEvent): Promise<DeliveryReport>;
}

const missing = (channel: string, name: string) =>
  new MissingSecretError(`notify.${channel} is enabled but ${name} is not set in the environment`);

function webhookUrl(value: string | undefined): string {
  if (!value) throw missing('webhook', 'TRADER_ALERT_WEBHOOK_URL');
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = '';
  }
  // The value is the secret, so the complaint never quotes it.
  if (protocol !== 'https:' && protocol !== 'http:')
    throw new MissingSecretError('TRADER_ALERT_WEBHOOK_URL is not an http(s) URL');
  return value;
}

/** The enabled channels; an enabled channel without its secret stops the worker at start. */
function channelsOf({ config, secrets }: NotifierDeps): Channel[] {
  const { notify } = config;
  const channels: Channel[] = [];
  if (notify.telegram.enabled) {
    if (!secrets.telegramBotToken) throw missing('telegram', 'TELEGRAM_BOT_TOKEN');
    channels.push(
      createTelegramChannel({
        apiUrl: notify.telegram.apiUrl,
        botToken: secrets.telegramBotToken,
        // The schema refuses an enabled channel without a chat.
        chatId: notify.telegram.chatId as string | number,
        timeoutMs: notify.timeoutMs,
      }),
    );
  }
  if (notify.webhook.enabled) {
    channels.push(
      createWebhookChannel({
        url: webhookUrl(secrets.alertWebhookUrl),
        timeoutMs: notify.timeoutMs,
      }),
    );
  }
  if (notify.email.enabled) {
    const { host, port, secure, from, to, user } = notify.email;
    if (user && !secrets.smtpPassword) throw missing('email', 'SMTP_PASSWORD');
    channels.push(
      createEmailChannel({
        host,
        port,
        secure,
        from,
        to,
        user,
        password: secrets.smtpPassword,
        timeoutMs: notify.timeoutMs,
      }),
    );
  }
  return channels;
}

/** links.ts builds the local UI's link; a configured base keeps its path and swaps the origin. */
function uiLinkFor(config: Config): (workflowId: string) => string {
  const base = config.notify.uiBaseUrl?.replace(/\/+$/, '');
  return (workflowId) => {
    const local = workflowUiUrl(config, workflowId);
    return base ? `${base}${new URL(local).pathname}` : local;
  };
}

/**
 * Sends each alert on every enabled channel that wants its kind, at most
 * once per channel and alert id within notify.retentionHours: a retry after
 * a partial failure sends only to the channels that failed.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const channels = channelsOf(deps);
  const sentLog =
    channels.length > 0
      ? SentLog.open(config.notify.stateDir, config.notify.retentionHours * 3_600_000, now)
      : undefined;
  const scrub = scrubber(secretValues(deps.secrets));
  const uiLink = uiLinkFor(config);
  // An attempt that timed out may still be sending when its retry arrives; the retry waits for it.
  const inFlight = new Map<string, Promise<void>>();

  const sendOnce = (channel: Channel, alert: OutgoingAlert): Promise<void> => {
    const key = `${channel.name} ${alert.event.id}`;
    const running = inFlight.get(key);
    if (running) return running;
    const sending = channel.send(alert).finally(() => inFlight.delete(key));
    inFlight.set(key, sending);
    return sending;
  };

  const failureOf = (channel: ChannelName, err: unknown): DeliveryError =>
    err instanceof DeliveryError
      ? new DeliveryError(channel, scrub(err.detail), err.retryable, err.retryAfterMs)
      : new DeliveryError(channel, scrub(`unexpected: ${(err as Error)?.message ?? err}`), true);

  type Outcome = 'delivered' | 'skipped' | DeliveryError;
  const deliverOn = async (
    channel: Channel,
    alert: OutgoingAlert,
    log: Logger,
  ): Promise<Outcome> => {
    const { event } = alert;
    if (!config.notify[channel.name].events.includes(event.kind)) return 'skipped';
    if (sentLog?.has(channel.name, event.id)) return 'skipped';
    try {
      await sendOnce(channel, alert);
    } catch (err) {
      const failure = failureOf(channel.name, err);
      log.warn({ channel: channel.name, retryable: failure.retryable }, failure.message);
      return failure;
    }
    log.info({ channel: channel.name }, 'alert delivered');
    await sentLog
      ?.record(channel.name, event.id)
      .catch((err: Error) =>
        log.warn(
          { channel: channel.name, err },
          'alert delivered but not recorded; a restart may resend it',
        ),
      );
    return 'delivered';
  };

  return {
    async deliver(event) {
      const link = event.workflowId ? uiLink(event.workflowId) : undefined;
      const alert: OutgoingAlert = { event, text: formatAlert(event, link), uiLink: link };
      const log = logger.child({
        alertId: event.id,
        kind: event.kind,
        workflowId: event.workflowId,
      });
      const outcomes = await Promise.all(channels.map((c) => deliverOn(c, alert, log)));
      const report: DeliveryReport = { delivered: [], skipped: [], failed: [] };
      outcomes.forEach((outcome, i) => {
        if (outcome instanceof DeliveryError) report.failed.push(outcome);
        else report[outcome].push(channels[i].name);
      });
      return report;
    },
  };
}
