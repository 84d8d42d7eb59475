import { z } from 'zod';
import type { ChargesBreakdown } from '../../domain/charges';
import { fromPaise } from '../../domain/money';

/** One executed order as Kite's virtual contract note takes it (POST /charges/orders). */
export interface ContractNoteOrder {
  orderId: string;
  exchange: 'NFO' | 'BFO';
  tradingsymbol: string;
  transactionType: 'BUY' | 'SELL';
  product: 'MIS' | 'NRML';
  orderType: 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';
  quantity: number;
  /** Kite refuses zero. */
  averagePrice: number;
}

/**
 * Kite's charges for one order, unrounded rupees as it sends them.
 * `exchange` is Kite's `exchange_turnover_charge`: the transaction charge
 * with NSE's IPFT inside.
 */
export interface OrderCharges {
  orderId: string;
  stt: number;
  exchange: number;
  sebi: number;
  brokerage: number;
  stampDuty: number;
  gst: number;
  total: number;
}

const amount = z.number().finite().nonnegative();
const rowSchema = z.object({
  charges: z.object({
    transaction_tax: amount,
    exchange_turnover_charge: amount,
    sebi_turnover_charge: amount,
    brokerage: amount,
    stamp_duty: amount,
    gst: z.object({ total: amount }),
    total: amount,
  }),
});

/**
 * Kite's answer, one row per order in the order asked: it echoes the
 * symbol and side but not the order id, so the rows are paired by position
 * and a count that differs is refused rather than guessed at.
 */
export function parseContractNote(
  orders: readonly ContractNoteOrder[],
  response: unknown,
): OrderCharges[] {
  const rows = z.array(rowSchema).parse(response);
  if (rows.length !== orders.length) {
    throw new Error(`contract note: ${rows.length} rows for ${orders.length} orders`);
  }
  return rows.map(({ charges: c }, i) => ({
    orderId: orders[i].orderId,
    stt: c.transaction_tax,
    exchange: c.exchange_turnover_charge,
    sebi: c.sebi_turnover_charge,
    brokerage: c.brokerage,
    stampDuty: c.stamp_duty,
    gst: c.gst.total,
    total: c.total,
  }));
}

export const toKiteContractNoteParams = (orders: readonly ContractNoteOrder[]) =>
  orders.map((o) => ({
    order_id: o.orderId,
    exchange: o.exchange,
    tradingsymbol: o.tradingsymbol,
    transaction_type: o.transactionType,
    variety: 'regular' as const,
    product: o.product,
    order_type: o.orderType,
    quantity: o.quantity,
    average_price: o.averagePrice,
  }));

/**
 * Kite's amounts are floats of exact decimals (0.195 is 0.19499999...): to
 * a millionth of a paisa first, so an exact half paisa rounds up as the
 * contract note rounds it, then half-up to the paisa.
 */
const toWholePaise = (rupees: number): number => Math.round(Math.round(rupees * 1e8) / 1e6);

/**
 * One contract note's figures from Kite's per-order charges: each component
 * summed over the orders and rounded to the paisa once, the total the sum
 * of the rounded components, as a contract note prints them. Kite shows
 * IPFT inside the exchange charge, so `ipft` is 0 and `exchangeTxn` carries
 * the whole line.
 */
export function contractNoteBreakdown(rows: readonly OrderCharges[]): ChargesBreakdown {
  const sum = (pick: (r: OrderCharges) => number) =>
    toWholePaise(rows.reduce((s, r) => s + pick(r), 0));
  const paise = {
    brokerage: sum((r) => r.brokerage),
    stt: sum((r) => r.stt),
    exchangeTxn: sum((r) => r.exchange),
    ipft: 0,
    sebi: sum((r) => r.sebi),
    stampDuty: sum((r) => r.stampDuty),
    gst: sum((r) => r.gst),
  };
  const total = Object.values(paise).reduce((s, p) => s + p, 0);
  return {
    brokerage: fromPaise(paise.brokerage),
    stt: fromPaise(paise.stt),
    exchangeTxn: fromPaise(paise.exchangeTxn),
    ipft: 0,
    sebi: fromPaise(paise.sebi),
    stampDuty: fromPaise(paise.stampDuty),
    gst: fromPaise(paise.gst),
    total: fromPaise(total),
  };
}
