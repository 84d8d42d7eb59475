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

/** The first input that makes sizing meaningless, in words; undefined when all are usable. */
function inputProblem(input: SizingInput): string | undefined {
  const { rule, premium, lotSize, freezeQty, stopDistance } = input;
  if (!Number.isSafeInteger(lotSize) || lotSize <= 0) {
    return `lot size must be a positive whole number, got ${lotSize}`;
  }
  if (!Number.isFinite(freezeQty) || freezeQty < lotSize) {
    return `freeze limit ${freezeQty} is smaller than one lot of ${lotSize}`;
  }
  if (!isPositive(premium) || toPaise(premium) <= 0) {
    return `premium must be at least one paisa, got ${premium}`;
  }
  if (!Number.isFinite(input.availableMargin) || !Number.isFinite(input.capital)) {
    return 'capital and available margin must be finite numbers';
  }
  if (rule.mode === 'FIXED_LOTS') {
    return Number.isSafeInteger(rule.lots) && rule.lots > 0
      ? undefined
      : `FIXED_LOTS needs a positive whole number of lots, got ${rule.lots}`;
  }
  if (!isPositive(rule.riskPerTradePct)) {
    return `RISK sizing needs a positive percent, got ${rule.riskPerTradePct}`;
  }
  if (!isPositive(stopDistance) || toPaise(stopDistance) <= 0) {
    return `RISK sizing needs a positive stop distance, got ${stopDistance}`;
  }
  return undefined;
}

export function sizePosition(input: SizingInput): SizingResult {
  const { rule, premium, lotSize, freezeQty, availableMargin, stopDistance } = input;
  const problem = inputProblem(input);
  if (problem) return reject('INVALID_INPUT', problem);

  let wanted: number = rule.mode === 'FIXED_LOTS' ? rule.lots : 0;
  if (rule.mode === 'RISK') {
    // Floored, so the loss at the stop stays within the budget.
    const budgetPaise = Math.floor((toPaise(input.capital) * rule.riskPerTradePct) / 100);
    wanted = Math.floor(budgetPaise / (toPaise(stopDistance) * lotSize));
    if (!(wanted >= 1)) {
      return reject(
        'RISK_BELOW_ONE_LOT',
        `risk budget ${budgetPaise / 100} (${rule.riskPerTradePct}% of ${input.capital}) ` +
          `is less than one lot's loss at the stop (${lotSize} x ${stopDistance})`,
      );
    }
  }
  // A buyer's margin is the premium paid in full.
  const affordable = Math.floor(
    Math.max(0, toPaise(availableMargin)) / (toPaise(premium) * lotSize),
  );
  if (!(affordable >= 1)) {
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

/**
 * A freeze limit learnt from the broker's refusal of a slice ("... higher
 * than the maximum quantity of 600 (20 lots) allowed by the exchanges"):
 * the limit it names, else half the one that was refused. Undefined when the
 * refusal is not about the freeze limit, or nothing smaller than one lot is left.
 */
export function freezeLimitFromRefusal(
  message: string,
  refusedLimit: number,
  lotSize: number,
): number | undefined {
  if (!/maximum quantity|freeze/i.test(message)) return undefined;
  const named = Number(/maximum quantity of (\d+)/i.exec(message)?.[1]);
  const learnt =
    Number.isSafeInteger(named) && named > 0 && named < refusedLimit
      ? named
      : Math.floor(refusedLimit / 2);
  const whole = Math.floor(learnt / lotSize) * lotSize;
  return whole >= lotSize ? whole : undefined;
}
