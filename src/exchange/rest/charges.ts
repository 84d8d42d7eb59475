import { z } from 'zod';
import { exerciseStt, unroundedChargesFor } from '../../domain/charges';
import { chargeRatesOn, freezeQtyOn } from '../../domain/market-facts';
import { inputError } from '../errors';
import type { Instrument } from '../market/instrument';
import type { Market } from '../market/market';
import type { MatchingEngine } from '../matching/engine';
import { EXPIRY_TAG } from '../matching/settlement';
import { istDateOf } from '../time';

/**
 * POST /charges/orders, Kite's virtual contract note: the charges of each
 * order in a JSON array, at the rates in force on its trade date. An order
 * this exchange filled is charged at the date of its fill; any other id (Kite
 * takes hypothetical orders) at the exchange's today. Amounts are unrounded
 * rupees as Kite returns them; the contract note rounds each component of a
 * day's orders once.
 */
const orderSchema = z.object({
  order_id: z.union([z.string().min(1), z.number()]).transform(String),
  exchange: z.literal('NFO', { error: 'the paper exchange lists NFO options only' }),
  tradingsymbol: z.string().min(1),
  transaction_type: z.enum(['BUY', 'SELL']),
  variety: z.string().min(1),
  product: z.string().min(1),
  order_type: z.string().min(1),
  quantity: z.number().int().positive(),
  // Kite: "Average price at which the order was executed (Note: Should be non-zero)".
  average_price: z.number().positive(),
});
const bodySchema = z.array(orderSchema).min(1);
type NoteOrder = z.infer<typeof orderSchema>;

export interface ContractNoteContext {
  engine: MatchingEngine;
  market: Market;
  now: () => number;
}

function parseBody(body: string): NoteOrder[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw inputError('Invalid body: expected a JSON array of orders.');
  }
  const parsed = bodySchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
  throw inputError(`Invalid \`${field.join('').replace(/^\./, '') || 'body'}\`: ${issue.message}`);
}

/**
 * An option settled in the money pays Zerodha's brokerage per freeze-sized
 * order (TradingQ&A: "since the quantity held is over the freeze limit, it'll
 * be 2 orders") with GST on it; the holder of an exercised long also pays STT
 * on its intrinsic value. No turnover charges: no premium changes hands.
 */
function exerciseCharges(o: NoteOrder, instrument: Instrument, date: string) {
  const rates = chargeRatesOn(date);
  const orders = Math.ceil(o.quantity / freezeQtyOn(instrument.underlying, date));
  const fees = unroundedChargesFor(
    [{ side: o.transaction_type, quantity: o.quantity, price: 0, orders }],
    rates,
  );
  const perUnit = instrument.instrumentType === 'CE' ? o.average_price : -o.average_price;
  if (o.transaction_type === 'BUY') return fees;
  const stt = exerciseStt(
    {
      optionType: instrument.instrumentType as 'CE' | 'PE',
      strike: instrument.strike,
      settlementPrice: instrument.strike + perUnit,
      quantity: o.quantity,
    },
    rates,
  );
  return { ...fees, stt };
}

function chargesOf(ctx: ContractNoteContext, o: NoteOrder) {
  const own = ctx.engine.find(o.order_id);
  const filledAt = own?.trades[0]?.fill_timestamp.slice(0, 10);
  const date = filledAt ?? istDateOf(ctx.now());
  const instrument = ctx.market.find(`${o.exchange}:${o.tradingsymbol}`);
  if (own?.order.tag === EXPIRY_TAG && instrument) return exerciseCharges(o, instrument, date);
  return unroundedChargesFor(
    [{ side: o.transaction_type, quantity: o.quantity, price: o.average_price, orders: 1 }],
    chargeRatesOn(date),
  );
}

export function virtualContractNote(ctx: ContractNoteContext, body: string) {
  return parseBody(body).map((o) => {
    const c = chargesOf(ctx, o);
    const exchange = c.exchangeTxn + c.ipft;
    const total = c.brokerage + c.stt + exchange + c.sebi + c.stampDuty + c.gst;
    return {
      transaction_type: o.transaction_type,
      tradingsymbol: o.tradingsymbol,
      exchange: o.exchange,
      variety: o.variety,
      product: o.product,
      order_type: o.order_type,
      quantity: o.quantity,
      price: o.average_price,
      charges: {
        transaction_tax: c.stt,
        transaction_tax_type: 'stt',
        exchange_turnover_charge: exchange,
        sebi_turnover_charge: c.sebi,
        brokerage: c.brokerage,
        stamp_duty: c.stampDuty,
        // A client outside Karnataka (Zerodha's state) pays IGST; Kite's mock shows the same.
        gst: { igst: c.gst, cgst: 0, sgst: 0, total: c.gst },
        total,
      },
    };
  });
}
