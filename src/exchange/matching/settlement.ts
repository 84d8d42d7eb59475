import { istEpoch, MARKET_CLOSE } from '../../domain/calendar';
import { specOf } from '../../domain/instruments';
import { fromPaise, toPaise } from '../../domain/money';
import type { Underlying } from '../../domain/types';
import { isOption, type Instrument } from '../market/instrument';
import type { Product, TransactionType } from './order-types';
import type { KitePosition } from './portfolio';

/**
 * The tag of the order that settles an option at expiry. Kite leaves expired
 * options out of the order and trade books and settles them in the ledger;
 * the paper exchange books the settlement as a completed order and a trade
 * at the settlement value instead, so positions go flat and their P&L is the
 * exchange's, and this tag tells the order apart from anything a client placed.
 */
export const EXPIRY_TAG = 'EXPIRY';

export interface Settlement {
  instrument: Instrument;
  product: Product;
  /** The side that closes the position: a long is exercised (SELL), a short assigned (BUY). */
  side: TransactionType;
  quantity: number;
  /** Intrinsic value per unit against the index's close; zero out of the money. */
  price: number;
  /** The index's closing value the contract settles against. */
  settlementPrice: number;
  /** The expiry day's close, when the settlement happens. */
  at: number;
}

/** Intrinsic value per unit of `instrument` at `settlementPrice`, to the paisa; zero out of the money. */
export function intrinsicValue(instrument: Instrument, settlementPrice: number): number {
  const paise =
    instrument.instrumentType === 'CE'
      ? toPaise(settlementPrice) - toPaise(instrument.strike)
      : toPaise(instrument.strike) - toPaise(settlementPrice);
  return fromPaise(Math.max(0, paise));
}

export const expiryClose = (i: Instrument): number => istEpoch(i.expiry, MARKET_CLOSE);

/**
 * Every open position in a contract whose expiry close (15:30 IST) has
 * passed by `now`, with what it settles at. Index options are cash settled
 * at intrinsic value, so a position held through the close always ends flat.
 */
export function dueSettlements(
  positions: readonly KitePosition[],
  instrumentOf: (token: number) => Instrument | undefined,
  now: number,
  closingSpot: (u: Underlying, date: string) => number,
): Settlement[] {
  const out: Settlement[] = [];
  for (const p of positions) {
    const instrument = instrumentOf(p.instrument_token);
    if (p.quantity === 0 || !instrument || !isOption(instrument)) continue;
    const at = expiryClose(instrument);
    if (now < at) continue;
    const settlementPrice = closingSpot(instrument.underlying, instrument.expiry);
    out.push({
      instrument,
      product: p.product,
      side: p.quantity > 0 ? 'SELL' : 'BUY',
      quantity: Math.abs(p.quantity),
      price: intrinsicValue(instrument, settlementPrice),
      settlementPrice,
      at,
    });
  }
  return out;
}

export function settlementMessage(s: Settlement): string {
  const close = `${specOf(s.instrument.underlying).indexSymbol} closed at ${s.settlementPrice.toFixed(2)}`;
  if (s.price === 0) return `Expired out of the money: ${close}.`;
  const how = s.side === 'SELL' ? 'Exercised' : 'Assigned';
  return `${how} at expiry: ${close}, intrinsic value ${s.price.toFixed(2)}.`;
}
