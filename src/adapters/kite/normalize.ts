import { fromKiteTime } from './kite-time';
import type { BrokerOrder, BrokerPosition, BrokerTrade, Instrument, Quote } from './types';

type Raw = Record<string, unknown>;

const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
};
const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Works for REST orders, order history entries and ticker order updates alike. */
export function normalizeOrder(raw: Raw): BrokerOrder {
  const placedAt = fromKiteTime(raw.order_timestamp);
  return {
    orderId: str(raw.order_id),
    tag: strOrNull(raw.tag),
    status: str(raw.status),
    statusMessage: strOrNull(raw.status_message),
    tradingsymbol: str(raw.tradingsymbol),
    exchange: str(raw.exchange),
    instrumentToken: num(raw.instrument_token),
    transactionType: str(raw.transaction_type),
    orderType: str(raw.order_type),
    product: str(raw.product),
    quantity: num(raw.quantity),
    filledQuantity: num(raw.filled_quantity),
    pendingQuantity: num(raw.pending_quantity),
    cancelledQuantity: num(raw.cancelled_quantity),
    price: num(raw.price),
    triggerPrice: num(raw.trigger_price),
    averagePrice: num(raw.average_price),
    ...(placedAt !== undefined && { placedAt }),
  };
}

interface RawDepthLevel {
  price?: unknown;
  quantity?: unknown;
}

/** Best price of one side of the depth; Kite pads empty levels with zeros. */
function best(levels: unknown): number | undefined {
  if (!Array.isArray(levels) || levels.length === 0) return undefined;
  const { price, quantity } = levels[0] as RawDepthLevel;
  return num(price) > 0 && num(quantity) > 0 ? num(price) : undefined;
}

export function normalizeQuote(raw: Raw, now: number): Quote {
  const depth = (raw.depth ?? {}) as { buy?: unknown; sell?: unknown };
  return {
    token: num(raw.instrument_token),
    ltp: num(raw.last_price),
    bid: best(depth.buy),
    ask: best(depth.sell),
    timestamp: fromKiteTime(raw.timestamp) ?? now,
  };
}

/** kiteconnect parses the CSV dump, turning expiry into a UTC-midnight Date and leaving the token a string. */
export function normalizeInstrument(raw: Raw): Instrument {
  const expiry =
    raw.expiry instanceof Date
      ? Number.isNaN(raw.expiry.getTime())
        ? null
        : raw.expiry.toISOString().slice(0, 10)
      : strOrNull(raw.expiry);
  return {
    token: num(raw.instrument_token),
    tradingsymbol: str(raw.tradingsymbol),
    name: str(raw.name),
    exchange: str(raw.exchange),
    segment: str(raw.segment),
    instrumentType: str(raw.instrument_type),
    expiry,
    strike: num(raw.strike),
    lotSize: num(raw.lot_size),
    tickSize: num(raw.tick_size),
  };
}

export const normalizePosition = (raw: Raw): BrokerPosition => ({
  tradingsymbol: str(raw.tradingsymbol),
  exchange: str(raw.exchange),
  instrumentToken: num(raw.instrument_token),
  product: str(raw.product),
  quantity: num(raw.quantity),
  averagePrice: num(raw.average_price),
  lastPrice: num(raw.last_price),
});

export const normalizeTrade = (raw: Raw): BrokerTrade => {
  const filledAt = fromKiteTime(raw.fill_timestamp);
  return {
    tradeId: str(raw.trade_id),
    orderId: str(raw.order_id),
    tradingsymbol: str(raw.tradingsymbol),
    exchange: str(raw.exchange),
    product: str(raw.product),
    transactionType: str(raw.transaction_type),
    quantity: num(raw.quantity),
    averagePrice: num(raw.average_price),
    ...(filledAt !== undefined && { filledAt }),
  };
};
