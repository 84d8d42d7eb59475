import { CancellationScope, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify';
import { notifyOptions } from '../activities/notify-options';
import { alertId, type AlertEvent, type AlertKind } from '../domain/alerts';

const notifier = proxyActivities<NotifyActivities>(notifyOptions);

/**
 * Alerts a workflow sends. Each goes out as its own activity, durable and
 * retried, without holding up the trade: the workflow only waits for them
 * before it completes or continues as new, so none is lost with the run.
 * The id is the n-th alert of its kind about the workflow, n carried in the
 * workflow's state, so a retry or a replay never sends one twice.
 */
export class Alerts {
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    private readonly scope: string,
    private readonly counts: Partial<Record<AlertKind, number>>,
    private readonly enabled: boolean,
    /** "[simulated] " for a signals-only position, so nobody takes it for a trade. */
    private readonly titlePrefix = '',
  ) {}

  send(event: Omit<AlertEvent, 'id'>, sameAs?: number): number {
    const n = sameAs ?? (this.counts[event.kind] = (this.counts[event.kind] ?? 0) + 1);
    if (!this.enabled) return n;
    const id = alertId(this.scope, event.kind, n);
    this.pending.push(
      CancellationScope.nonCancellable(() =>
        notifier.notify({ ...event, title: `${this.titlePrefix}${event.title}`, id }),
      ).catch((err: unknown) => log.warn('alert not delivered', { id, error: String(err) })),
    );
    return n;
  }

  /** The number the latest alert of `kind` carried, to pair an all-clear with its alarm. */
  latest(kind: AlertKind): number {
    return this.counts[kind] ?? 0;
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending.splice(0));
  }
}

/**
 * The alert scope of a workflow whose id is reused (a day's book the
 * operator terminated and that started again): its first run's id keeps a
 * new chain's alerts from reusing, and so silently losing, the old ids.
 */
export const chainScope = (): string => {
  const { workflowId, firstExecutionRunId } = workflowInfo();
  return `${workflowId}.${firstExecutionRunId.slice(0, 8)}`;
};
