import { z } from 'zod';
import { contractNoteBreakdown } from '../adapters/kite/contract-note';
import { sumCharges, type ChargesBreakdown, type PositionCharges } from '../domain/charges';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';
import { parseInput } from './validation';

const positiveInt = z
  .number()
  .int('expected a positive integer')
  .positive('expected a positive integer');

const orderSchema = z.strictObject({
  orderId: z.string().min(1, 'expected an order id'),
  /** The IST trade date: one contract note per day, each rounded on its own. */
  date: z.iso.date('expected YYYY-MM-DD'),
  exchange: z.enum(['NFO', 'BFO']),
  tradingsymbol: z.string().min(1, 'expected a tradingsymbol'),
  transactionType: z.enum(['BUY', 'SELL']),
  product: z.enum(['MIS', 'NRML']),
  orderType: z.enum(['MARKET', 'LIMIT', 'SL', 'SL-M']),
  quantity: positiveInt,
  averagePrice: z.number().positive('expected the non-zero price the order filled at'),
});

export const contractNoteSchema = z.strictObject({
  orders: z.array(orderSchema).min(1, 'expected at least one executed order'),
});

export type ContractNoteInput = z.input<typeof contractNoteSchema>;

export interface ContractNoteResult {
  /** Each order's charges as Kite computed them, every component rounded to the paisa. */
  orders: { orderId: string; date: string; charges: ChargesBreakdown }[];
  /**
   * The position's charges as the broker's contract notes add up: per trade
   * date each component summed and rounded once, then the dates added. Kite
   * shows IPFT inside the exchange charge, so `ipft` is 0 and `exchangeTxn`
   * is the whole exchange line (compare ours as exchangeTxn + ipft).
   */
  total: PositionCharges;
}

export const KITE_CONTRACT_NOTE = 'Kite virtual contract note';

/**
 * The broker's own charge arithmetic for a position's executed orders
 * (Kite's POST /charges/orders), in our breakdown shape, to record beside
 * the charges we computed.
 */
export function createContractNoteActivities({ broker }: Pick<ActivityDeps, 'broker'>) {
  return {
    async contractNote(input: ContractNoteInput): Promise<ContractNoteResult> {
      const { orders } = parseInput('contractNote', contractNoteSchema, input);
      const rows = await broker.getContractNote(orders).catch((err: unknown) => {
        throw toActivityFailure(err);
      });
      // The adapter pairs Kite's rows with the orders by position.
      const dated = rows.map((row, i) => ({ row, date: orders[i].date }));
      const dates = [...new Set(orders.map((o) => o.date))].sort();
      const byDate = dates.map((date) => ({
        date,
        ...contractNoteBreakdown(dated.filter((d) => d.date === date).map((d) => d.row)),
      }));
      return {
        orders: dated.map(({ row, date }) => ({
          orderId: row.orderId,
          date,
          charges: contractNoteBreakdown([row]),
        })),
        total: { ...sumCharges(byDate), rates: KITE_CONTRACT_NOTE, byDate },
      };
    },
  };
}
