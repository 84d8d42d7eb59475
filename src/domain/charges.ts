import type { Config } from '../config/schema';
import { chargeRatesOn, type ChargeRates } from './market-facts';
import { fromPaise, toPaise } from './money';
import { turnoverPaise, type Fill } from './pnl';
import type { OptionType } from './types';

export type { ChargeRates };

/** `charges` in config: when set, it replaces the dated rates for every trade date. */
export type ChargeOverride = NonNullable<Config['charges']>;

export interface ChargeableFill extends Fill {
  side: 'BUY' | 'SELL';
  /** Executed orders behind this fill: brokerage is per executed order, so slices each pay. */
  orders: number;
}

/** A fill and its trade date (YYYY-MM-DD, IST), which decides the rates it pays. */
export interface DatedFill extends ChargeableFill {
  date: string;
}

/** Rupees, each component rounded to the paisa, as a contract note lists them. */
export interface ChargesBreakdown {
  brokerage: number;
  stt: number;
  /** NSE's transaction charge without IPFT. */
  exchangeTxn: number;
  ipft: number;
  sebi: number;
  stampDuty: number;
  gst: number;
  total: number;
}

/** A position's charges: the sum over its trade dates, each at that date's rates. */
export interface PositionCharges extends ChargesBreakdown {
  /** "config override", or "NSE/Zerodha as of <trade dates>". */
  rates: string;
  byDate: ({ date: string } & ChargesBreakdown)[];
}

export const OVERRIDE_LABEL = 'config override';
export const datedLabel = (dates: readonly string[]): string =>
  `NSE/Zerodha as of ${dates.join(', ')}`;

// Rates are decimal fractions such as 0.0003503 that binary floats only
// approximate; scaled to integers, paise x rate is exact and a half paisa
// rounds up by rule rather than by representation luck.
const SCALE = 1_000_000_000_000n;
const scaled = (rate: number): bigint => (rate > 0 ? BigInt(Math.round(rate * Number(SCALE))) : 0n);
/** An exact amount in paise x SCALE, rounded half-up to a whole paisa. */
const roundPaise = (exact: bigint, scale = SCALE): number => Number((exact + scale / 2n) / scale);

const isChargeable = (f: ChargeableFill): boolean =>
  Number.isSafeInteger(f.quantity) &&
  f.quantity > 0 &&
  Number.isFinite(f.price) &&
  f.price >= 0 &&
  Number.isSafeInteger(f.quantity * toPaise(f.price)) &&
  Number.isSafeInteger(f.orders) &&
  f.orders >= 0;

const sideTurnover = (fills: readonly ChargeableFill[], side: ChargeableFill['side']): bigint =>
  BigInt(turnoverPaise(fills.filter((f) => f.side === side)));

/** Each component exactly: paise x SCALE, and GST paise x SCALE². */
function exactCharges(fills: readonly ChargeableFill[], rates: ChargeRates) {
  const valid = fills.filter(isChargeable);
  const buy = sideTurnover(valid, 'BUY');
  const sell = sideTurnover(valid, 'SELL');
  const orders = BigInt(valid.reduce((sum, f) => sum + f.orders, 0));
  const exact = {
    brokerage: orders * BigInt(toPaise(rates.brokeragePerOrder)) * SCALE,
    stt: sell * scaled(rates.sttSellRate),
    exchangeTxn: (buy + sell) * scaled(rates.exchangeTxnRate),
    ipft: (buy + sell) * scaled(rates.ipftRate),
    sebi: (buy + sell) * scaled(rates.sebiRate),
    stampDuty: buy * scaled(rates.stampBuyRate),
  };
  const gstBase =
    exact.brokerage + exact.exchangeTxn + exact.sebi + (rates.ipftInGstBase ? exact.ipft : 0n);
  return { ...exact, gst: gstBase * scaled(rates.gstRate) };
}

/**
 * NSE index-option charges on one trade date's fills, on aggregate turnover
 * as a contract note computes them, not per fill.
 *
 * Rounding (checked against Kite's virtual contract note, which returns
 * unrounded per-order floats such as gst 3.613527): every component is
 * computed exactly and rounded half-up to the paisa once; GST is 18% of the
 * unrounded brokerage + transaction charge + SEBI fee (IPFT only if
 * `ipftInGstBase`), so summing Kite's per-order components for the same
 * orders and rounding each gives these figures. The contract note and Kite's
 * `exchange_turnover_charge` show the transaction charge and IPFT as one
 * line, rounded once: `exchangeTxn` is that line less the rounded IPFT, so
 * the two always add up to it. Brokers say STT is rounded to the rupee on
 * the final contract note (low confidence, unproven per contract or per
 * day); that is not applied.
 *
 * A fill that cannot have happened (fractional or non-positive quantity,
 * negative or non-finite price) contributes nothing rather than NaN.
 */
export function chargesFor(fills: readonly ChargeableFill[], rates: ChargeRates): ChargesBreakdown {
  const exact = exactCharges(fills, rates);
  const ipft = roundPaise(exact.ipft);
  const paise = {
    brokerage: roundPaise(exact.brokerage),
    stt: roundPaise(exact.stt),
    exchangeTxn: roundPaise(exact.exchangeTxn + exact.ipft) - ipft,
    ipft,
    sebi: roundPaise(exact.sebi),
    stampDuty: roundPaise(exact.stampDuty),
    gst: roundPaise(exact.gst, SCALE * SCALE),
  };
  return inRupees(paise);
}

/**
 * The same components unrounded, in rupees: what Kite's virtual contract
 * note returns for one order. Summed over a day's orders and rounded to the
 * paisa per component, they give chargesFor's figures.
 */
export function unroundedChargesFor(
  fills: readonly ChargeableFill[],
  rates: ChargeRates,
): Omit<ChargesBreakdown, 'total'> {
  const { gst, ...rest } = exactCharges(fills, rates);
  // One division, correctly rounded: 3.6, not 3.6000000000000005.
  const rupees = (exact: bigint) => Number(exact) / Number(SCALE * 100n);
  const out = { gst: rupees(gst / SCALE) } as Omit<ChargesBreakdown, 'total'>;
  for (const [key, value] of Object.entries(rest)) out[key as keyof typeof rest] = rupees(value);
  return out;
}

type Components = Omit<ChargesBreakdown, 'total'>;
const COMPONENTS: readonly (keyof Components)[] = [
  'brokerage',
  'stt',
  'exchangeTxn',
  'ipft',
  'sebi',
  'stampDuty',
  'gst',
];

function inRupees(paise: Components): ChargesBreakdown {
  const out = { total: 0 } as ChargesBreakdown;
  let total = 0;
  for (const key of COMPONENTS) {
    out[key] = fromPaise(paise[key]);
    total += paise[key];
  }
  out.total = fromPaise(total);
  return out;
}

/** Breakdowns added component by component, in whole paise. */
export const sumCharges = (parts: readonly ChargesBreakdown[]): ChargesBreakdown => {
  const paise = {} as Components;
  for (const key of COMPONENTS) paise[key] = parts.reduce((s, p) => s + toPaise(p[key]), 0);
  return inRupees(paise);
};

/** The override's keys in the rates' shape; older overrides (and histories) lack ipftRate and sttExerciseRate. */
export function ratesFromOverride(o: ChargeOverride): ChargeRates {
  return {
    brokeragePerOrder: o.brokeragePerOrder,
    sttSellRate: o.sttSellRate,
    sttExerciseRate: o.sttExerciseRate,
    exchangeTxnRate: o.exchangeTxnRate,
    // Without it the override's exchange rate is the whole exchange charge, as Kite shows it.
    ipftRate: o.ipftRate ?? 0,
    sebiRate: o.sebiPerCrore / 10_000_000,
    stampBuyRate: o.stampBuyRate,
    gstRate: o.gstRate,
    ipftInGstBase: false,
  };
}

/**
 * A position's charges: its fills grouped by trade date (one contract note
 * each), every date at the rates in force on it, or all at the override's.
 */
export function chargesByTradeDate(
  fills: readonly DatedFill[],
  override?: ChargeOverride,
): PositionCharges {
  const dates = [...new Set(fills.map((f) => f.date))].sort();
  const fixed = override && ratesFromOverride(override);
  const byDate = dates.map((date) => ({
    date,
    ...chargesFor(
      fills.filter((f) => f.date === date),
      fixed ?? chargeRatesOn(date),
    ),
  }));
  return {
    ...sumCharges(byDate),
    rates: override ? OVERRIDE_LABEL : datedLabel(dates),
    byDate,
  };
}

/**
 * STT on an in-the-money long option exercised at expiry: intrinsic value
 * (settlement minus strike for a call, strike minus settlement for a put)
 * times quantity times the exercise rate, paid by the buyer; rupees to the
 * paisa. Zero out of the money. The exercise also pays brokerage per
 * freeze-sized order (Zerodha), which this does not include.
 */
export function exerciseStt(
  p: { optionType: OptionType; strike: number; settlementPrice: number; quantity: number },
  rates: Pick<ChargeRates, 'sttExerciseRate'>,
): number {
  const perUnit =
    p.optionType === 'CE'
      ? toPaise(p.settlementPrice) - toPaise(p.strike)
      : toPaise(p.strike) - toPaise(p.settlementPrice);
  if (!(perUnit > 0) || !Number.isSafeInteger(p.quantity) || p.quantity <= 0) return 0;
  return fromPaise(
    roundPaise(BigInt(perUnit) * BigInt(p.quantity) * scaled(rates.sttExerciseRate)),
  );
}
