import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type { DeliveryReport } from '../src/adapters/notify/notifier';
import { alertId, type AlertEvent } from '../src/domain/alerts';

export interface HealthWatchdogOptions {
  /** The supervised service's name, as the supervisor knows it. */
  name: string;
  /** Its liveness URL (/healthz), which answers whenever its event loop runs. */
  url: string;
  /** The service's current process, or undefined while the supervisor restarts it. */
  current: () => ChildProcess | undefined;
  say: (msg: string) => void;
  /** Sends an alert; a report with failures is retried at the next poll. */
  notify?: (event: AlertEvent) => Promise<DeliveryReport>;
  logger?: Logger;
  intervalMs?: number;
  /** A request that takes longer is a miss: a hung event loop accepts the connection and never answers. */
  timeoutMs?: number;
  /** Misses in a row that make the service unhealthy. */
  unhealthyAfter?: number;
  /** A new process that has not answered yet is starting, not hung, for this long. */
  startupGraceMs?: number;
  now?: () => number;
}

/** An undelivered alert is retried at each poll for this long, as long as the notify activity's window. */
const ALERT_RETRY_MS = 3_600_000;

/**
 * A watchdog outside the service: polls its /healthz, and once it misses
 * `unhealthyAfter` polls in a row, alerts (WORKER_UNHEALTHY, one alert id
 * per episode) and SIGKILLs the process if one is running, since a process
 * that runs but does not answer is hung; the supervisor restarts it. It
 * looks at /healthz only, which depends on nothing but the process, so
 * another service's trouble never gets the worker killed.
 */
export class HealthWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private misses = 0;
  private lastAnswer: number;
  /** The last answer before the current unhealthy episode; it names the episode's alert. */
  private unhealthySince: number | undefined;
  private pending: { alert: AlertEvent; until: number } | undefined;
  /** The first time each process was seen, for its start-up grace. */
  private seen: { pid: number; at: number; answered: boolean } | undefined;
  private killedPid: number | undefined;
  private polling = false;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly unhealthyAfter: number;
  private readonly startupGraceMs: number;

  constructor(private readonly options: HealthWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.unhealthyAfter = options.unhealthyAfter ?? 3;
    this.startupGraceMs = options.startupGraceMs ?? 60_000;
    this.lastAnswer = this.now();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One probe; overlapping probes are skipped, so a slow one never stacks up. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const child = this.running();
      if (await this.answers()) this.healthy(child);
      else if (!this.starting(child)) await this.missed(child);
      await this.sendPending();
    } finally {
      this.polling = false;
    }
  }

  private running(): ChildProcess | undefined {
    const child = this.options.current();
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return undefined;
    if (this.seen?.pid !== child.pid)
      this.seen = { pid: child.pid, at: this.now(), answered: false };
    return child;
  }

  private async answers(): Promise<boolean> {
    try {
      const res = await fetch(this.options.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** A process that has not answered once yet, within its grace: bundling, connecting. */
  private starting(child: ChildProcess | undefined): boolean {
    return (
      child !== undefined &&
      this.seen !== undefined &&
      !this.seen.answered &&
      this.now() - this.seen.at < this.startupGraceMs
    );
  }

  private healthy(child: ChildProcess | undefined): void {
    if (child && this.seen) this.seen.answered = true;
    this.misses = 0;
    this.lastAnswer = this.now();
    if (this.unhealthySince === undefined) return;
    const downS = Math.round((this.now() - this.unhealthySince) / 1000);
    this.options.say(
      `${this.options.name} answers ${this.options.url} again (unhealthy ${downS} s)`,
    );
    this.options.logger?.info(
      { service: this.options.name, downSeconds: downS },
      'service healthy again',
    );
    this.unhealthySince = undefined;
  }

  private async missed(child: ChildProcess | undefined): Promise<void> {
    this.misses += 1;
    if (this.misses < this.unhealthyAfter) return;
    if (this.unhealthySince === undefined) this.open(child);
    if (child?.pid !== undefined && child.pid !== this.killedPid) {
      this.killedPid = child.pid;
      this.options.say(
        `${this.options.name} (pid ${child.pid}) is hung: SIGKILL; the supervisor restarts it`,
      );
      child.kill('SIGKILL');
    }
  }

  private open(child: ChildProcess | undefined): void {
    const { name, url } = this.options;
    const since = this.lastAnswer;
    const quietS = Math.round((this.now() - since) / 1000);
    const action = child ? `killing pid ${child.pid} for the supervisor to restart` : 'not running';
    this.options.say(
      `${name} has not answered ${url} ${this.misses} times in a row (${quietS} s): unhealthy, ${action}`,
    );
    this.options.logger?.error(
      { service: name, url, misses: this.misses, pid: child?.pid, quietSeconds: quietS },
      'service unhealthy',
    );
    this.unhealthySince = since;
    const alert: AlertEvent = {
      id: alertId(name, 'WORKER_UNHEALTHY', since),
      kind: 'WORKER_UNHEALTHY',
      severity: 'critical',
      title: `${name} does not answer its health check`,
      text:
        `${url} went unanswered ${this.misses} times in a row; last answer ` +
        `${new Date(since).toISOString()}. Price triggers and exits on its task queue wait ` +
        'until a worker answers again.',
      fields: { service: name, action, quietSeconds: quietS },
    };
    this.pending = { alert, until: this.now() + ALERT_RETRY_MS };
  }

  /** Until every channel took the alert, or failed for good, or the retry window closed. */
  private async sendPending(): Promise<void> {
    const { pending } = this;
    if (!pending || !this.options.notify) return;
    if (this.now() > pending.until) {
      this.pending = undefined;
      return;
    }
    const { alert } = pending;
    try {
      const report = await this.options.notify(alert);
      if (!report.failed.some((f) => f.retryable)) this.pending = undefined;
    } catch (err) {
      this.options.logger?.warn(
        { alertId: alert.id, error: (err as Error).message },
        'alert not sent; retrying at the next poll',
      );
    }
  }
}
