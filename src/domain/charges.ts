import type { Config } from '../config/schema';
import { fromPaise, toPaise } from './money';
import { turnoverPaise, type Fill } from './pnl';

export type ChargeRates = Config['charges'];

export interface ChargeableFill extends Fill {
  side: 'BUY' | 'SELL';
  /** Executed orders behind this fill: brokerage is per executed order, so slices each pay. */
  orders: number;
}

/** Rupees, each component rounded to the paisa. */
export interface ChargesBreakdown {
  brokerage: number;
  stt: number;
  exchangeTxn: number;
  sebi: number;
  stampDuty: number;
  gst: number;
  total: number;
}

// Rates are decimal fractions such as 0.0003503 that binary floats only
// approximate; scaled to integers, paise x rate is exact and a half paisa
// rounds up by rule rather than by representation luck.
const RATE_SCALE = 1_000_000_000_000n;
const RUPEES_PER_CRORE = 10_000_000;

/** `paise x rate`, rounded half-up to a whole paisa. */
function applyRate(paise: number, rate: number): number {
  if (paise <= 0 || !(rate > 0)) return 0;
  const scaledRate = BigInt(Math.round(rate * Number(RATE_SCALE)));
  return Number((BigInt(paise) * scaledRate + RATE_SCALE / 2n) / RATE_SCALE);
}

const sideTurnover = (fills: readonly ChargeableFill[], side: ChargeableFill['side']): number =>
  turnoverPaise(fills.filter((f) => f.side === side));

/**
 * NSE index-option charges on a set of fills, computed as a contract note
 * does: on aggregate turnover, not per fill. GST is levied on the already
 * rounded brokerage, exchange and SEBI components. A fill that cannot have
 * happened (fractional or non-positive quantity, negative or non-finite
 * price) contributes nothing rather than poisoning the total with NaN.
 */
export function chargesFor(fills: readonly ChargeableFill[], rates: ChargeRates): ChargesBreakdown {
  const valid = fills.filter(
    (f) =>
      Number.isSafeInteger(f.quantity) &&
      f.quantity > 0 &&
      Number.isFinite(f.price) &&
      f.price >= 0 &&
      Number.isSafeInteger(f.quantity * toPaise(f.price)) &&
      Number.isSafeInteger(f.orders) &&
      f.orders >= 0,
  );
  const buy = sideTurnover(valid, 'BUY');
  const sell = sideTurnover(valid, 'SELL');
  const orders = valid.reduce((sum, f) => sum + f.orders, 0);

  const brokerage = orders * toPaise(rates.brokeragePerOrder);
  const stt = applyRate(sell, rates.sttSellRate);
  const exchangeTxn = applyRate(buy + sell, rates.exchangeTxnRate);
  const sebi = applyRate(buy + sell, rates.sebiPerCrore / RUPEES_PER_CRORE);
  const stampDuty = applyRate(buy, rates.stampBuyRate);
  const gst = applyRate(brokerage + exchangeTxn + sebi, rates.gstRate);
  return {
    brokerage: fromPaise(brokerage),
    stt: fromPaise(stt),
    exchangeTxn: fromPaise(exchangeTxn),
    sebi: fromPaise(sebi),
    stampDuty: fromPaise(stampDuty),
    gst: fromPaise(gst),
    total: fromPaise(brokerage + stt + exchangeTxn + sebi + stampDuty + gst),
  };
}
