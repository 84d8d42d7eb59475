import { fromPaise, toPaise } from './money';

export interface Fill {
  quantity: number;
  price: number;
}

export const filledQuantity = (fills: readonly Fill[]): number =>
  fills.reduce((sum, f) => sum + f.quantity, 0);

/** Sum of quantity x price in integer paise: exact for any realistic order book. */
export const turnoverPaise = (fills: readonly Fill[]): number =>
  fills.reduce((sum, f) => sum + f.quantity * toPaise(f.price), 0);

/**
 * Quantity-weighted average price of partial fills or slices, to the paisa.
 * For display and journaling; P&L is computed from turnover so this rounding
 * never leaks into money.
 */
export function averagePrice(fills: readonly Fill[]): number | undefined {
  const quantity = filledQuantity(fills);
  if (quantity <= 0) return undefined;
  return fromPaise(Math.round(turnoverPaise(fills) / quantity));
}

export interface NetPnl {
  gross: number;
  charges: number;
  net: number;
  /** Entry quantity not yet matched by exits; non-zero means the P&L is partial. */
  openQuantity: number;
}

/**
 * Realised P&L of a long-premium position. When the exit is short of the
 * entry (a partial exit), the closed quantity is costed at the average entry
 * price so the open remainder carries its share of the cost.
 */
export function netPnl(input: {
  entryFills: readonly Fill[];
  exitFills: readonly Fill[];
  charges: number;
}): NetPnl {
  const entryQty = filledQuantity(input.entryFills);
  const exitQty = filledQuantity(input.exitFills);
  const closedQty = Math.min(entryQty, exitQty);
  const entryCost =
    entryQty > 0 ? Math.round((turnoverPaise(input.entryFills) * closedQty) / entryQty) : 0;
  const exitValue =
    exitQty > 0 ? Math.round((turnoverPaise(input.exitFills) * closedQty) / exitQty) : 0;
  const grossPaise = exitValue - entryCost;
  const chargesPaise = toPaise(input.charges);
  return {
    gross: fromPaise(grossPaise),
    charges: fromPaise(chargesPaise),
    net: fromPaise(grossPaise - chargesPaise),
    openQuantity: entryQty - closedQty,
  };
}
