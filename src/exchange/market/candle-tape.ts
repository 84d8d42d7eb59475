import { aggregateCandles, candleStart } from '../../domain/strategies/candles';
import { MinuteCandles } from '../../domain/strategies/candles-recorder';
import type { Candle } from '../../domain/strategies/types';
import type { Journal } from '../store/journal';

const MINUTE = 60_000;
/** A week of minutes: the runner's longest look-back; about 30k candles for three indices. */
const DEFAULT_RETAIN_MS = 7 * 86_400_000;

/** A journal line: when the live period began (written once), or a minute that finished. */
export type TapeEntry = { since: number } | { token: number; candle: Candle };

export interface CandleTapeOptions {
  /** When the exchange started; the live period begins at its minute unless the journal says earlier. */
  start: number;
  /** Prints outside the session are quotes of a closed market, not trades. */
  isSessionOpen?: (epochMs: number) => boolean;
  retainMs?: number;
}

/**
 * The minute candles of the prices the market actually published, so
 * history after `since` is the path the ticker showed rather than a
 * simulation of it. Finished minutes go to a journal and come back on the
 * next start; the minutes the exchange was down stay empty.
 */
export class CandleTape {
  /** The first minute of the live period: history before it is simulated. */
  readonly since: number;
  private readonly minutes: MinuteCandles;
  /** Tokens whose last candle has prints the journal has not seen. */
  private readonly unjournalled = new Set<number>();
  private readonly isSessionOpen: (epochMs: number) => boolean;
  private readonly journal: Journal<TapeEntry> | undefined;

  constructor(
    options: CandleTapeOptions,
    stored?: { journal: Journal<TapeEntry>; events: TapeEntry[] },
  ) {
    this.isSessionOpen = options.isSessionOpen ?? (() => true);
    this.minutes = new MinuteCandles(options.retainMs ?? DEFAULT_RETAIN_MS);
    this.journal = stored?.journal;
    let since = candleStart(options.start, 0, MINUTE);
    const replayed = new Map<number, Candle[]>();
    for (const entry of stored?.events ?? []) {
      if ('since' in entry) since = Math.min(since, entry.since);
      else replayed.set(entry.token, [...(replayed.get(entry.token) ?? []), entry.candle]);
    }
    this.since = since;
    if (!stored?.events.some((e) => 'since' in e)) this.journal?.append({ since });
    // A minute cut short by a stop is journalled twice when the next start continues it.
    for (const [token, candles] of replayed)
      this.minutes.restore(token, aggregateCandles(candles, MINUTE, 0));
  }

  /** One published price of `token` at `at`. */
  record(token: number, at: number, price: number): void {
    if (!this.isSessionOpen(at)) return;
    const { finished } = this.minutes.add(token, at, price);
    if (finished) this.journal?.append({ token, candle: finished });
    this.unjournalled.add(token);
  }

  /** Recorded minute candles of `token` opening in [fromMs, toMs), oldest first. */
  candles(token: number, fromMs: number, toMs: number): Candle[] {
    return this.minutes.between(token, fromMs, toMs);
  }

  lastClose(token: number): number | undefined {
    return this.minutes.last(token)?.close;
  }

  /** Journals the forming minutes as far as they got, so a restart serves them. */
  close(): void {
    if (!this.journal) return;
    for (const token of this.unjournalled) {
      const last = this.minutes.last(token);
      if (last) this.journal.append({ token, candle: last });
    }
    this.journal.close();
  }
}
