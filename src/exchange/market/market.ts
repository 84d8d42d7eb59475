import { istDateOf, istEpoch, MARKET_CLOSE, MARKET_OPEN } from '../../domain/calendar';
import { indexTokenOf, UNDERLYING_SPECS } from '../../domain/instruments';
import { roundToTick } from '../../domain/money';
import type { Underlying } from '../../domain/types';
import { CandleTape } from './candle-tape';
import { historicalSpot, minuteCandles } from './history';
import {
  instrumentKey,
  instrumentOfSymbol,
  isOption,
  listInstruments,
  type Instrument,
} from './instrument';
import { priceOption } from './option-pricer';
import { hashSeed, mulberry32, type Rng } from './rng';
import { BASE_VOL, nextSpot, volAt } from './spot-process';

export interface Quote {
  token: number;
  ltp: number;
  /** Zero for indices, which have no book. */
  bid: number;
  ask: number;
  open: number;
  high: number;
  low: number;
  /** Reference close: the price when the exchange listed the day. */
  close: number;
  volume: number;
  lastQty: number;
  /** Epoch ms of the last price change. */
  timestamp: number;
}

export interface MarketOptions {
  seed: number;
  strikesAroundSpot: number;
  now: () => number;
  /** Where index prints are recorded; an in-memory tape starting now by default. */
  tape?: CandleTape;
}

const UNDERLYINGS = Object.keys(UNDERLYING_SPECS) as Underlying[];

/**
 * The live market: spot processes per index and the option book priced off
 * them. Pure state machine driven by step(now); the exchange owns the timer.
 */
export class Market {
  readonly tape: CandleTape;
  /** Every contract listed on any day so far: orders and positions in yesterday's still resolve. */
  private readonly byToken = new Map<number, Instrument>();
  private readonly byKey = new Map<string, Instrument>();
  private readonly quotes = new Map<number, Quote>();
  private readonly pins = new Map<number, number>();
  private readonly spots: Record<Underlying, number>;
  private readonly spotRng: Rng;
  private readonly volumeRng: Rng;
  private lastStep: number;
  private listing: { date: string; instruments: readonly Instrument[] };

  constructor(private readonly options: MarketOptions) {
    const now = options.now();
    const today = istDateOf(now);
    this.spotRng = mulberry32(hashSeed(options.seed, 'live-spot'));
    this.volumeRng = mulberry32(hashSeed(options.seed, 'live-volume'));
    this.tape = options.tape ?? new CandleTape({ start: now });
    // Live prices carry on from the last candle history shows: recorded if any, else simulated.
    this.spots = Object.fromEntries(
      UNDERLYINGS.map((u) => [
        u,
        this.tape.lastClose(indexTokenOf(u)) ?? historicalSpot(options.seed, u, now, today),
      ]),
    ) as Record<Underlying, number>;
    this.listing = this.list(today);
    this.lastStep = now;
    this.reprice(now);
  }

  /** The contract list of the IST day the clock is in, as Kite's morning dump would have it. */
  get instruments(): readonly Instrument[] {
    const now = this.options.now();
    // A new day's contracts are quoted from the moment they are listed.
    if (istDateOf(now) > this.listing.date) this.reprice(now);
    return this.listing.instruments;
  }

  instrument(token: number): Instrument | undefined {
    return this.byToken.get(token);
  }

  /** `NFO:NIFTY25N1823500CE`, `NSE:NIFTY 50`, or a bare token. */
  find(key: string): Instrument | undefined {
    return /^\d+$/.test(key) ? this.byToken.get(Number(key)) : this.byKey.get(key);
  }

  /**
   * Quotes a contract the day's listing lacks, such as one a restarted
   * exchange holds a position in from an earlier day, so it can be marked
   * and settled. False for a symbol that names no index option.
   */
  relist(tradingsymbol: string): boolean {
    if (this.byKey.has(`NFO:${tradingsymbol}`)) return true;
    const instrument = instrumentOfSymbol(tradingsymbol);
    if (!instrument) return false;
    this.remember([instrument]);
    this.reprice(this.options.now());
    return true;
  }

  quote(token: number): Quote | undefined {
    return this.quotes.get(token);
  }

  spot(u: Underlying): number {
    return this.spots[u];
  }

  /**
   * The index's last print before the close of `date`, which its expiring
   * options settle against: the recorded minutes if the exchange was running
   * that session, else the simulated ones it had not yet replaced.
   * (NSE settles on the average of the last half hour; the last print is
   * what a position holder here saw.)
   */
  closingSpot(u: Underlying, date: string): number {
    const [open, close] = [istEpoch(date, MARKET_OPEN), istEpoch(date, MARKET_CLOSE)];
    const recorded = this.tape.candles(indexTokenOf(u), open, close).at(-1);
    const simulated = minuteCandles(this.options.seed, u, date)
      .filter((c) => c.time < Math.min(close, this.tape.since))
      .at(-1);
    return roundToTick((recorded ?? simulated)?.close ?? this.spots[u]);
  }

  /** Advance every index by the wall time since the last step and reprice the book. */
  step(nowMs: number): void {
    const dt = nowMs - this.lastStep;
    this.lastStep = nowMs;
    for (const u of UNDERLYINGS)
      this.spots[u] = nextSpot(this.spots[u], volAt(u, nowMs), dt, this.spotRng);
    this.reprice(nowMs);
  }

  setSpot(u: Underlying, spot: number): void {
    this.spots[u] = spot;
    this.reprice(this.options.now());
  }

  /** Hold an option at an exact price (bid = ask = ltp) until unpinned. */
  pin(token: number, ltp: number): void {
    this.pins.set(token, roundToTick(ltp));
    this.reprice(this.options.now());
  }

  unpin(token: number): void {
    this.pins.delete(token);
    this.reprice(this.options.now());
  }

  /** Releases every pin; returns how many there were. */
  unpinAll(): number {
    const pinned = this.pins.size;
    this.pins.clear();
    this.reprice(this.options.now());
    return pinned;
  }

  /** Records traded volume from our own fills. */
  recordTrade(token: number, qty: number): void {
    const q = this.quotes.get(token);
    if (q) {
      q.volume += qty;
      q.lastQty = qty;
    }
  }

  private priceOf(i: Instrument, nowMs: number): { ltp: number; bid: number; ask: number } {
    const pinned = this.pins.get(i.token);
    if (pinned !== undefined) return { ltp: pinned, bid: pinned, ask: pinned };
    const spot = this.spots[i.underlying];
    if (!isOption(i)) return { ltp: roundToTick(spot), bid: 0, ask: 0 };
    const terms = {
      expiry: i.expiry,
      strike: i.strike,
      optionType: i.instrumentType as 'CE' | 'PE',
    };
    const atmVol = BASE_VOL[i.underlying];
    return priceOption(UNDERLYING_SPECS[i.underlying], terms, spot, atmVol, nowMs);
  }

  private list(date: string): { date: string; instruments: readonly Instrument[] } {
    const instruments = listInstruments(this.spots, date, this.options.strikesAroundSpot);
    this.remember(instruments);
    return { date, instruments };
  }

  private remember(instruments: readonly Instrument[]): void {
    for (const i of instruments) {
      this.byToken.set(i.token, i);
      this.byKey.set(instrumentKey(i), i);
    }
  }

  /**
   * A new IST day lists its own contracts around the spot of the moment and
   * starts every quote afresh: the reprice that follows opens the day at the
   * listing price, which is also its reference close.
   */
  private followDate(nowMs: number): void {
    const today = istDateOf(nowMs);
    if (today <= this.listing.date) return;
    this.listing = this.list(today);
    this.quotes.clear();
  }

  private reprice(nowMs: number): void {
    this.followDate(nowMs);
    for (const i of this.byToken.values()) {
      const { ltp, bid, ask } = this.priceOf(i, nowMs);
      // Option history is derived from the index's, as it is for the simulated past.
      if (!isOption(i)) this.tape.record(i.token, nowMs, ltp);
      const prev = this.quotes.get(i.token);
      if (!prev) {
        const first = { token: i.token, ltp, bid, ask, open: ltp, high: ltp, low: ltp, close: ltp };
        this.quotes.set(i.token, { ...first, volume: 0, lastQty: 0, timestamp: nowMs });
        continue;
      }
      const traded = isOption(i) ? i.lotSize * Math.floor(this.volumeRng() * 3) : 0;
      Object.assign(prev, {
        ltp,
        bid,
        ask,
        high: Math.max(prev.high, ltp),
        low: Math.min(prev.low, ltp),
        volume: prev.volume + traded,
        lastQty: traded || prev.lastQty,
        timestamp: ltp === prev.ltp ? prev.timestamp : nowMs,
      });
    }
  }
}
