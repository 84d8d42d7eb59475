import type { Candle as DomainCandle } from '../../domain/strategies/types';

/** Broker-neutral shapes the activities work with; Kite's snake_case stays inside the adapter. */

export type Exchange = 'NFO' | 'NSE';
export type TransactionType = 'BUY' | 'SELL';
export type Product = 'MIS' | 'NRML';
export type OrderType = 'MARKET' | 'LIMIT' | 'SL' | 'SL-M';

/** Kite reports many transient statuses (OPEN, TRIGGER PENDING, ...); only these three are final. */
const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETE', 'CANCELLED', 'REJECTED']);
export const isTerminal = (status: string): boolean => TERMINAL_STATUSES.has(status);

export interface PlaceOrderParams {
  tag: string;
  tradingsymbol: string;
  exchange: Exchange;
  transactionType: TransactionType;
  quantity: number;
  product: Product;
  orderType: OrderType;
  price?: number;
  triggerPrice?: number;
  /** Kite requires it on MARKET and SL-M orders; -1 lets Kite choose. */
  marketProtection?: number;
}

export interface BrokerOrder {
  orderId: string;
  tag: string | null;
  status: string;
  statusMessage: string | null;
  tradingsymbol: string;
  exchange: string;
  instrumentToken: number;
  transactionType: string;
  orderType: string;
  product: string;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  cancelledQuantity: number;
  price: number;
  triggerPrice: number;
  averagePrice: number;
  /** Epoch ms the broker booked the order, when it says. */
  placedAt?: number;
}

/** One row of Kite's net positions: the broker's own view of what is held. */
export interface BrokerPosition {
  tradingsymbol: string;
  exchange: string;
  instrumentToken: number;
  product: string;
  /** Net units; negative is a short. */
  quantity: number;
  averagePrice: number;
  lastPrice: number;
}

/** The net units the positions show for one contract (several rows can share it). */
export const netHeld = (
  positions: readonly BrokerPosition[],
  tradingsymbol: string,
  product: string,
): number =>
  positions
    .filter((p) => p.tradingsymbol === tradingsymbol && p.product === product)
    .reduce((sum, p) => sum + p.quantity, 0);

/** One execution from Kite's trade book. */
export interface BrokerTrade {
  tradeId: string;
  orderId: string;
  tradingsymbol: string;
  exchange: string;
  product: string;
  transactionType: string;
  quantity: number;
  averagePrice: number;
  /** Epoch ms of the fill, when the broker says. */
  filledAt?: number;
}

export interface Quote {
  token: number;
  ltp: number;
  /** Best bid/ask from the depth; undefined when that side of the book is empty. */
  bid?: number;
  ask?: number;
  /** Epoch ms. */
  timestamp: number;
}

export interface Instrument {
  token: number;
  tradingsymbol: string;
  name: string;
  exchange: string;
  segment: string;
  instrumentType: string;
  /** YYYY-MM-DD, or null for non-derivatives. */
  expiry: string | null;
  strike: number;
  lotSize: number;
  tickSize: number;
}

export type CandleInterval =
  'minute' | '3minute' | '5minute' | '10minute' | '15minute' | '30minute' | '60minute' | 'day';

/** Kite's candle is the domain candle plus open interest, which only derivatives carry. */
export interface Candle extends DomainCandle {
  oi?: number;
}
