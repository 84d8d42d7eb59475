import type { Client } from '@temporalio/client';
import type { TickHub } from '../adapters/kite/tick-hub';
import type { Logger } from '../log';
import { fromPaise, toPaise } from '../domain/money';
import type { Mark } from '../domain/risk';
import { accountWorkflowId, recordMarksUpdate } from '../workflows/messages';

export interface MarkedPosition {
  positionId: string;
  accountDay: string;
  token: number;
  entryPrice: number;
  quantity: number;
}

/**
 * Open P&L reaches the day's account book every `intervalMs` from the tick
 * hub, so the daily-loss breaker sees open losses while no trigger fires.
 * One batched update per book per interval, only with the marks that moved:
 * a thousand watched positions cost two history events per book per
 * interval. A round waits for the books to take its marks and the next
 * starts only after it, so a late batch can never overwrite a newer mark.
 */
export class MarkReporter {
  private readonly watched = new Map<string, MarkedPosition>();
  private readonly sent = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private reporting: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly hub: Pick<TickHub, 'lastPrice'>,
    private readonly intervalMs: number,
    private readonly logger?: Logger,
  ) {}

  /** Watches one position's mark until the returned function is called. */
  watch(position: MarkedPosition): () => void {
    this.watched.set(position.positionId, position);
    this.start();
    return () => {
      if (this.watched.get(position.positionId) === position)
        this.watched.delete(position.positionId);
      if (this.watched.size === 0) this.stop();
    };
  }

  /** One round of marks; exposed so a test need not wait for the timer. */
  async report(): Promise<void> {
    const byDay = new Map<string, Mark[]>();
    for (const p of this.watched.values()) {
      const ltp = this.hub.lastPrice(p.token);
      if (ltp === undefined) continue;
      const paise = (toPaise(ltp) - toPaise(p.entryPrice)) * p.quantity;
      if (this.sent.get(p.positionId) === paise) continue;
      this.sent.set(p.positionId, paise);
      const marks = byDay.get(p.accountDay) ?? [];
      marks.push({ positionId: p.positionId, unrealisedPnl: fromPaise(paise) });
      byDay.set(p.accountDay, marks);
    }
    await Promise.all(
      [...byDay].map(([day, marks]) =>
        this.client.workflow
          .getHandle(accountWorkflowId(day))
          .executeUpdate(recordMarksUpdate, { args: [marks] })
          .catch((err: unknown) => {
            // A book that closed or never started has nothing to mark; the next round retries the rest.
            for (const m of marks) this.sent.delete(m.positionId);
            this.logger?.debug({ day, error: String(err) }, 'could not mark the account book');
          }),
      ),
    );
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.reporting ??= this.report().finally(() => (this.reporting = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }
}
