import type { Notifier } from '../adapters/notify/notifier';
import { tokenAlertDue } from '../domain/broker-session';
import type { Logger } from '../log';
import type { BrokerSession } from './broker-session';

export interface TokenAlertsOptions {
  now?: () => number;
  /** How often the clock is checked for TOKEN_EXPIRING and an expiry nobody has noticed yet. */
  intervalMs?: number;
}

/**
 * TOKEN_EXPIRING half an hour before the expiry and TOKEN_EXPIRED when the
 * session ends, by the clock or by a refusal, each once per login. The
 * notifier is called straight from the worker: the session is the worker's
 * own, no workflow owns it. A delivery a channel can retry is tried again on
 * the next check; the notifier's dedupe keeps it to one message per channel.
 */
export class TokenAlerts {
  /** Alerts logged, whatever the channels did: the log says it even with every channel off. */
  private readonly announced = new Set<string>();
  private readonly done = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly onChange = () => void this.check();

  constructor(
    private readonly session: BrokerSession,
    private readonly notifier: Pick<Notifier, 'deliver'>,
    private readonly logger: Logger,
    private readonly options: TokenAlertsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.session.on('change', this.onChange);
    this.timer = setInterval(this.onChange, this.options.intervalMs ?? 15_000);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    this.session.off('change', this.onChange);
    clearInterval(this.timer);
  }

  /** One look at the session; checks run one at a time, so an alert is never sent twice at once. */
  check(): Promise<void> {
    this.queue = this.queue.then(() => this.checkOnce());
    return this.queue;
  }

  private async checkOnce(): Promise<void> {
    const alert = tokenAlertDue(this.session.view(), this.now());
    if (!alert || this.done.has(alert.id)) return;
    const log = this.logger.child({ alertId: alert.id, kind: alert.kind });
    if (!this.announced.has(alert.id)) {
      this.announced.add(alert.id);
      log[alert.severity === 'critical' ? 'error' : 'warn'](alert.fields ?? {}, alert.text);
    }
    try {
      const { failed } = await this.notifier.deliver(alert);
      if (failed.some((f) => f.retryable)) {
        log.warn({ failed: failed.map((f) => f.message) }, 'token alert not delivered; retrying');
        return;
      }
      if (failed.length > 0)
        log.error({ failed: failed.map((f) => f.message) }, 'token alert cannot be delivered');
    } catch (err) {
      log.warn({ err }, 'token alert not delivered; retrying');
      return;
    }
    this.done.add(alert.id);
  }
}
