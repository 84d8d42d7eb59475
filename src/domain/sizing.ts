import type { SizingRule } from '../config/schema';
import { toPaise } from './money';

export interface SizingInput {
  rule: SizingRule;
  /** Expected entry premium per unit (the ask), rupees. */
  premium: number;
  lotSize: number;
  /** Exchange freeze limit: the largest quantity one order may carry. */
  freezeQty: number;
  /** Account capital the RISK rule takes its percentage of. */
  capital: number;
  availableMargin: number;
  /** Premium points between entry and stop-loss, per unit. */
  stopDistance: number;
}

export type SizingRejection =
  'INVALID_INPUT' | 'RISK_BELOW_ONE_LOT' | 'MARGIN_BELOW_ONE_LOT' | 'TOO_MANY_SLICES';

/**
 * More child orders than this means a sizing mistake, not a trade: at Kite's
 * 10 orders/s they would take seconds to place while the price moves.
 */
export const MAX_SLICES = 40;

export type SizingResult =
  | {
      ok: true;
      lots: number;
      quantity: number;
      /** Child order quantities, in placement order; they sum to `quantity`. */
      slices: number[];
      /** True when available margin, not the rule, set the size. */
      marginCapped: boolean;
    }
  | { ok: false; reason: SizingRejection; message: string };

const reject = (reason: SizingRejection, message: string): SizingResult => ({
  ok: false,
  reason,
  message,
});

const isPositive = (n: number) => Number.isFinite(n) && n > 0;

/**
 * Splits a quantity into orders no larger than the freeze limit, each a whole
 * number of lots: full-size slices first, then the remainder, which is how
 * the exchange's own iceberg/slicing tools lay them out.
 */
export function sliceQuantity(quantity: number, lotSize: number, freezeQty: number): number[] {
  const perSlice = Math.floor(freezeQty / lotSize) * lotSize;
  if (!Number.isFinite(quantity) || quantity <= 0) return [];
  // No lot fits under the limit: one order, and the exchange's rejection names the problem.
  if (!(perSlice > 0)) return [quantity];
  const slices: number[] = [];
  for (let left = quantity; left > 0; left -= perSlice) slices.push(Math.min(left, perSlice));
  return slices;
}

/** Lots for the rule before the margin cap; RISK floors so the loss at the stop stays within budget. */
function ruleLots(input: SizingInput): number {
  if (input.rule.mode === 'FIXED_LOTS') return input.rule.lots;
  const budgetPaise = Math.floor((toPaise(input.capital) * input.rule.riskPerTradePct) / 100);
  return Math.floor(budgetPaise / (toPaise(input.stopDistance) * input.lotSize));
}

export function sizePosition(input: SizingInput): SizingResult {
  const { premium, lotSize, freezeQty, availableMargin, stopDistance } = input;
  if (!Number.isSafeInteger(lotSize) || lotSize <= 0) {
    return reject('INVALID_INPUT', `lot size must be a positive whole number, got ${lotSize}`);
  }
  if (!Number.isFinite(freezeQty) || freezeQty < lotSize) {
    return reject(
      'INVALID_INPUT',
      `freeze limit ${freezeQty} is smaller than one lot of ${lotSize}`,
    );
  }
  if (!isPositive(premium) || toPaise(premium) <= 0) {
    return reject('INVALID_INPUT', `premium must be at least one paisa, got ${premium}`);
  }
  if (
    input.rule.mode === 'FIXED_LOTS' &&
    !(Number.isSafeInteger(input.rule.lots) && input.rule.lots > 0)
  ) {
    return reject(
      'INVALID_INPUT',
      `FIXED_LOTS needs a positive whole number of lots, got ${input.rule.lots}`,
    );
  }
  if (input.rule.mode === 'RISK' && !isPositive(input.rule.riskPerTradePct)) {
    return reject(
      'INVALID_INPUT',
      `RISK sizing needs a positive percent, got ${input.rule.riskPerTradePct}`,
    );
  }
  if (input.rule.mode === 'RISK' && !(isPositive(stopDistance) && toPaise(stopDistance) > 0)) {
    return reject(
      'INVALID_INPUT',
      `RISK sizing needs a positive stop distance, got ${stopDistance}`,
    );
  }
  if (!Number.isFinite(availableMargin) || !Number.isFinite(input.capital)) {
    return reject('INVALID_INPUT', 'capital and available margin must be finite numbers');
  }

  const wanted = ruleLots(input);
  if (!(wanted >= 1)) {
    return reject(
      'RISK_BELOW_ONE_LOT',
      `the risk budget does not cover one lot: ${lotSize} x ${stopDistance} points to the stop ` +
        `is more than the per-trade risk on capital ${input.capital}`,
    );
  }
  // A buyer's margin is the premium paid in full.
  const affordable = Math.floor(
    Math.max(0, toPaise(availableMargin)) / (toPaise(premium) * lotSize),
  );
  if (affordable < 1) {
    return reject(
      'MARGIN_BELOW_ONE_LOT',
      `available margin ${availableMargin} does not cover one lot (${lotSize} x ${premium})`,
    );
  }
  const lots = Math.min(wanted, affordable);
  const quantity = lots * lotSize;
  const perSlice = Math.floor(freezeQty / lotSize) * lotSize;
  if (Math.ceil(quantity / perSlice) > MAX_SLICES) {
    return reject(
      'TOO_MANY_SLICES',
      `${quantity} units needs more than ${MAX_SLICES} orders of at most ${perSlice}`,
    );
  }
  return {
    ok: true,
    lots,
    quantity,
    slices: sliceQuantity(quantity, lotSize, freezeQty),
    marginCapped: affordable < wanted,
  };
}
