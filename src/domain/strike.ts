import type { StrikeRule } from '../config/schema';
import { istEpoch, MARKET_CLOSE } from './calendar';
import { isPrice, toPaise } from './money';
import { black76Delta, black76Price, impliedVol } from './pricing';
import type { Direction, OptionChain, OptionQuote, OptionType } from './types';

export type StrikeRejection =
  'NO_QUOTES' | 'NO_SPOT' | 'STRIKE_NOT_IN_LADDER' | 'NOTHING_IN_BAND' | 'NO_DELTA' | 'ZERO_ASK';

export type StrikeSelection =
  { ok: true; quote: OptionQuote } | { ok: false; reason: StrikeRejection; message: string };

export const optionTypeFor = (direction: Direction): OptionType =>
  direction === 'LONG' ? 'CE' : 'PE';

const reject = (reason: StrikeRejection, message: string): StrikeSelection => ({
  ok: false,
  reason,
  message,
});

const YEAR_MS = 365 * 86_400_000;
/** Floor on time to expiry so an expiry-day chain after the close still yields a delta. */
const MIN_YEARS = 60_000 / YEAR_MS;

/** |delta| from the quote when the feed has it, else implied from the mid (or last) price. */
function absDelta(quote: OptionQuote, chain: OptionChain): number | undefined {
  if (quote.delta !== undefined && Number.isFinite(quote.delta)) return Math.abs(quote.delta);
  const price = quote.bid > 0 && quote.ask > 0 ? (quote.bid + quote.ask) / 2 : quote.ltp;
  if (!(price > 0)) return undefined;
  const years = Math.max((istEpoch(chain.expiry, MARKET_CLOSE) - chain.asOf) / YEAR_MS, MIN_YEARS);
  if (!Number.isFinite(years)) return undefined;
  // Rate 0 and forward = spot: for options a few days out the carry is far below one tick.
  const terms = {
    forward: chain.spot,
    strike: quote.strike,
    years,
    rate: 0,
    optionType: quote.optionType,
  };
  const [low, high] = [1e-4, 10];
  // A price no volatility in range fits takes the nearer end: the deepest or the farthest strike.
  const vol =
    impliedVol({ ...terms, price }, low, high) ??
    (price <= black76Price({ ...terms, vol: low }) ? low : high);
  const delta = black76Delta({ ...terms, vol });
  return Number.isFinite(delta) ? Math.abs(delta) : undefined;
}

/** Index of the ATM strike in an ascending ladder; a tie between two goes to the in-the-money one. */
function atmIndex(ladder: readonly OptionQuote[], spot: number, optionType: OptionType): number {
  const spotPaise = toPaise(spot);
  let best = 0;
  for (let i = 1; i < ladder.length; i++) {
    const gap = Math.abs(toPaise(ladder[i].strike) - spotPaise);
    const bestGap = Math.abs(toPaise(ladder[best].strike) - spotPaise);
    // Ladder is ascending, so on a tie the later strike is the higher one: ITM for a put.
    if (gap < bestGap || (gap === bestGap && optionType === 'PE')) best = i;
  }
  return best;
}

/** The chain's distinct strikes for one option type, ascending: the real ladder, gaps and all. */
function ladderOf(chain: OptionChain, optionType: OptionType): OptionQuote[] {
  const byStrike = new Map<number, OptionQuote>();
  for (const q of chain.options) {
    const valid = q.optionType === optionType && q.expiry === chain.expiry && isPrice(q.strike);
    if (valid && !byStrike.has(toPaise(q.strike))) {
      byStrike.set(toPaise(q.strike), q);
    }
  }
  return [...byStrike.entries()].sort(([a], [b]) => a - b).map(([, q]) => q);
}

function stepFromAtm(
  ladder: readonly OptionQuote[],
  spot: number,
  optionType: OptionType,
  moneynessSteps: number,
): StrikeSelection {
  if (!isPrice(spot)) return reject('NO_SPOT', `spot ${spot} is not a price`);
  const atm = atmIndex(ladder, spot, optionType);
  // The nearest listed strike is only "at the money" if spot lies within the ladder.
  const gaps = ladder.slice(1).map((q, i) => toPaise(q.strike) - toPaise(ladder[i].strike));
  const offBy = Math.abs(toPaise(ladder[atm].strike) - toPaise(spot));
  if (gaps.length > 0 && offBy > Math.min(...gaps)) {
    return reject(
      'STRIKE_NOT_IN_LADDER',
      `spot ${spot} is outside the chain's strikes ${ladder[0].strike}-${ladder[ladder.length - 1].strike}`,
    );
  }
  // Calls gain moneyness downwards in strike, puts upwards.
  const index = atm + (optionType === 'CE' ? -moneynessSteps : moneynessSteps);
  if (index < 0 || index >= ladder.length) {
    const side = moneynessSteps > 0 ? 'ITM' : 'OTM';
    return reject(
      'STRIKE_NOT_IN_LADDER',
      `${side}-${Math.abs(moneynessSteps)} from ATM ${ladder[atm].strike} is beyond the chain's strikes ` +
        `${ladder[0].strike}-${ladder[ladder.length - 1].strike}`,
    );
  }
  return { ok: true, quote: ladder[index] };
}

function nearestDelta(
  ladder: readonly OptionQuote[],
  chain: OptionChain,
  target: number,
): StrikeSelection {
  let best: { quote: OptionQuote; miss: number } | undefined;
  for (const quote of ladder) {
    const delta = absDelta(quote, chain);
    if (delta === undefined) continue;
    const miss = Math.abs(delta - target);
    if (!best || miss < best.miss) best = { quote, miss };
  }
  if (!best) return reject('NO_DELTA', 'no quote has a delta or a price to imply one from');
  return { ok: true, quote: best.quote };
}

function inPremiumBand(ladder: readonly OptionQuote[], min: number, max: number): StrikeSelection {
  const [low, high] = [toPaise(min), toPaise(max)];
  // Twice the distance from the band's middle, in paise: integer, no halves.
  const miss = (q: OptionQuote) => Math.abs(2 * toPaise(q.ask) - (low + high));
  const inBand = ladder.filter(
    (q) => toPaise(q.ask) > 0 && toPaise(q.ask) >= low && toPaise(q.ask) <= high,
  );
  if (inBand.length === 0) {
    return reject('NOTHING_IN_BAND', `no ask between ${min} and ${max}`);
  }
  // Nearest the middle; on a tie the cheaper premium, as the smaller bet.
  const quote = inBand.reduce((best, q) =>
    miss(q) < miss(best) || (miss(q) === miss(best) && toPaise(q.ask) < toPaise(best.ask))
      ? q
      : best,
  );
  return { ok: true, quote };
}

/**
 * Picks the contract to buy from the chain's real strike ladder. ATM is the
 * strike nearest spot, a tie going to the in-the-money side (lower for a
 * call, higher for a put) so the position's |delta| is never below one half.
 * ITM-n / OTM-n step n listed strikes from ATM; DELTA takes the nearest
 * |delta| (lower strike on a tie); PREMIUM the ask nearest the band's middle.
 */
export function selectStrike(
  chain: OptionChain,
  direction: Direction,
  rule: StrikeRule,
): StrikeSelection {
  const optionType = optionTypeFor(direction);
  const ladder = ladderOf(chain, optionType);
  if (ladder.length === 0) {
    return reject('NO_QUOTES', `no ${chain.underlying} ${optionType} quotes for ${chain.expiry}`);
  }
  const picked =
    rule.mode === 'ATM'
      ? stepFromAtm(ladder, chain.spot, optionType, 0)
      : rule.mode === 'ITM'
        ? stepFromAtm(ladder, chain.spot, optionType, rule.steps)
        : rule.mode === 'OTM'
          ? stepFromAtm(ladder, chain.spot, optionType, -rule.steps)
          : rule.mode === 'DELTA'
            ? nearestDelta(ladder, chain, rule.target)
            : inPremiumBand(ladder, rule.min, rule.max);
  if (picked.ok && !(toPaise(picked.quote.ask) > 0)) {
    return reject('ZERO_ASK', `${picked.quote.tradingSymbol} has no offer to buy from`);
  }
  return picked;
}
