import { candleStart, withPrint } from './candles';
import type { Candle } from './types';

const MINUTE = 60_000;

/**
 * Minute candles per token folded from timed prints, oldest first, the last
 * one possibly still forming. Minutes more than `retainMs` older than a
 * token's newest are dropped, which bounds memory for a process that runs
 * for weeks.
 */
export class MinuteCandles {
  private readonly byToken = new Map<number, Candle[]>();

  constructor(private readonly retainMs: number) {}

  /**
   * Folds one print in. Returns the minute it finished when it opens a new
   * one. A print older than the newest minute is ignored: a published minute
   * is never rewritten by a clock that stepped back.
   */
  add(token: number, at: number, price: number): { finished?: Candle } {
    const time = candleStart(at, 0, MINUTE);
    let candles = this.byToken.get(token);
    if (!candles) this.byToken.set(token, (candles = []));
    const last = candles[candles.length - 1];
    if (last && time < last.time) return {};
    if (last?.time === time) {
      candles[candles.length - 1] = withPrint(last, time, price);
      return {};
    }
    candles.push(withPrint(undefined, time, price));
    while (candles[0].time < time - this.retainMs) candles.shift();
    return last ? { finished: last } : {};
  }

  /** Puts back minutes kept elsewhere (oldest first), before any print. */
  restore(token: number, candles: readonly Candle[]): void {
    const newest = candles[candles.length - 1];
    if (newest)
      this.byToken.set(
        token,
        candles.filter((c) => c.time >= newest.time - this.retainMs),
      );
  }

  /** Minutes of `token` opening in [fromMs, toMs), oldest first. */
  between(token: number, fromMs: number, toMs: number): Candle[] {
    return (this.byToken.get(token) ?? []).filter((c) => c.time >= fromMs && c.time < toMs);
  }

  last(token: number): Candle | undefined {
    return this.byToken.get(token)?.at(-1);
  }
}
