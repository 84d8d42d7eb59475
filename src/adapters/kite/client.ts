import { KiteConnect, type Connect } from 'kiteconnect';
import { istDateOf } from '../../domain/calendar';
import { registerSecret, scrubber } from '../../log';
import { BrokerAuthError, BrokerRejection, toBrokerError } from './errors';
import {
  parseContractNote,
  toKiteContractNoteParams,
  type ContractNoteOrder,
  type OrderCharges,
} from './contract-note';
import { toKiteDateTime } from './kite-time';
import {
  normalizeInstrument,
  normalizeOrder,
  normalizePosition,
  normalizeQuote,
  normalizeTrade,
} from './normalize';
import type {
  BrokerOrder,
  BrokerPosition,
  BrokerTrade,
  Candle,
  CandleInterval,
  Exchange,
  Instrument,
  PlaceOrderParams,
  Quote,
} from './types';

export interface KiteBrokerOptions {
  restUrl: string;
  apiKey: string;
  accessToken: string;
  timeoutMs: number;
  /** Injected so the per-day instruments cache can be tested without waiting for midnight. */
  now?: () => number;
  /**
   * Hears the broker's verdict on the access token of every call it
   * answered: refused (TokenException) or accepted. `token` is the one the
   * call carried, so a verdict on a token since replaced can be told apart.
   */
  onTokenVerdict?: (verdict: TokenVerdict) => void;
}

export interface TokenVerdict {
  operation: string;
  accepted: boolean;
  token: string;
  /** Epoch ms the call was sent. */
  sentAt: number;
}

/** The broker with its access token replaceable in place, for a renewed login. */
export interface RenewableKiteBroker extends KiteBroker {
  setAccessToken(accessToken: string): void;
}

export interface KiteBroker {
  /** Returns the broker's order id. */
  placeOrder(params: PlaceOrderParams): Promise<string>;
  /** Today's order book, one entry per order in its latest state. */
  getOrders(): Promise<BrokerOrder[]>;
  /** Every state the order went through, oldest first. */
  getOrderHistory(orderId: string): Promise<BrokerOrder[]>;
  /** The order's latest state. */
  getOrder(orderId: string): Promise<BrokerOrder>;
  cancelOrder(orderId: string): Promise<void>;
  /** The broker's net positions (Kite's `net`, overnight carry included). */
  getPositions(): Promise<BrokerPosition[]>;
  /** Today's executions. */
  getTrades(): Promise<BrokerTrade[]>;
  /** Keys are "EXCHANGE:TRADINGSYMBOL" or instrument tokens; missing instruments are absent from the map. */
  getQuote(keys: readonly string[]): Promise<Map<string, Quote>>;
  getLtp(keys: readonly string[]): Promise<Map<string, number>>;
  /** Cached per IST trading day: the dump changes once a day and is large. */
  getInstruments(exchange: Exchange): Promise<readonly Instrument[]>;
  getHistoricalCandles(
    token: number,
    interval: CandleInterval,
    fromMs: number,
    toMs: number,
  ): Promise<Candle[]>;
  /** Kite's virtual contract note: each order's charges as the broker computes them. */
  getContractNote(orders: readonly ContractNoteOrder[]): Promise<OrderCharges[]>;
}

type Raw = Record<string, unknown>;

export function createKiteBroker(options: KiteBrokerOptions): RenewableKiteBroker {
  const { restUrl, apiKey, timeoutMs, now = Date.now, onTokenVerdict } = options;
  let accessToken = options.accessToken;
  const kite: Connect = new KiteConnect({
    api_key: apiKey,
    access_token: accessToken,
    root: restUrl,
    timeout: timeoutMs,
  });
  const scrub = scrubber([apiKey, accessToken]);
  const call = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    const token = accessToken;
    const sentAt = Date.now();
    try {
      const result = await fn();
      onTokenVerdict?.({ operation, accepted: true, token, sentAt });
      return result;
    } catch (err) {
      const failure = toBrokerError(operation, err, scrub);
      if (failure instanceof BrokerAuthError)
        onTokenVerdict?.({ operation, accepted: false, token, sentAt });
      throw failure;
    }
  };
  const instrumentCache = new Map<
    Exchange,
    { day: string; rows: Promise<readonly Instrument[]> }
  >();

  const getOrderHistory = async (orderId: string) => {
    const history = await call('getOrderHistory', () => kite.getOrderHistory(orderId));
    return (history as unknown as Raw[]).map(normalizeOrder);
  };

  return {
    setAccessToken(next) {
      registerSecret(next);
      accessToken = next;
      kite.setAccessToken(next);
    },

    async placeOrder(p) {
      const params = {
        exchange: p.exchange,
        tradingsymbol: p.tradingsymbol,
        transaction_type: p.transactionType,
        quantity: p.quantity,
        product: p.product,
        order_type: p.orderType,
        validity: 'DAY' as const,
        tag: p.tag,
        ...(p.price !== undefined && { price: p.price }),
        ...(p.triggerPrice !== undefined && { trigger_price: p.triggerPrice }),
        // Sent by Kite's API but missing from kiteconnect's parameter type.
        ...(p.marketProtection !== undefined && { market_protection: p.marketProtection }),
      };
      const res = await call('placeOrder', () => kite.placeOrder('regular', params));
      return res.order_id;
    },

    async getOrders() {
      const orders = await call('getOrders', () => kite.getOrders());
      return (orders as unknown as Raw[]).map(normalizeOrder);
    },

    getOrderHistory,

    async getOrder(orderId) {
      const history = await getOrderHistory(orderId);
      const latest = history.at(-1);
      if (!latest)
        throw new BrokerRejection('getOrder', 'InputException', `order ${orderId} has no history`);
      return latest;
    },

    async cancelOrder(orderId) {
      await call('cancelOrder', () => kite.cancelOrder('regular', orderId));
    },

    async getPositions() {
      const res = await call('getPositions', () => kite.getPositions());
      return ((res.net ?? []) as unknown as Raw[]).map(normalizePosition);
    },

    async getTrades() {
      const trades = await call('getTrades', () => kite.getTrades());
      return (trades as unknown as Raw[]).map(normalizeTrade);
    },

    async getQuote(keys) {
      if (keys.length === 0) return new Map();
      const res = await call('getQuote', () => kite.getQuote([...keys]));
      const at = now();
      return new Map(
        Object.entries(res).map(([key, raw]) => [key, normalizeQuote(raw as unknown as Raw, at)]),
      );
    },

    async getLtp(keys) {
      if (keys.length === 0) return new Map();
      const res = await call('getLtp', () => kite.getLTP([...keys]));
      return new Map(Object.entries(res).map(([key, raw]) => [key, raw.last_price]));
    },

    getInstruments(exchange) {
      const day = istDateOf(now());
      const cached = instrumentCache.get(exchange);
      if (cached?.day === day) return cached.rows;
      const rows = call('getInstruments', () => kite.getInstruments(exchange)).then((list) =>
        (list as unknown as Raw[]).map(normalizeInstrument).filter((i) => i.token > 0),
      );
      instrumentCache.set(exchange, { day, rows });
      // A failed download must not be served from the cache for the rest of the day.
      rows.catch(
        () => instrumentCache.get(exchange)?.rows === rows && instrumentCache.delete(exchange),
      );
      return rows;
    },

    async getHistoricalCandles(token, interval, fromMs, toMs) {
      const candles = await call('getHistoricalCandles', () =>
        kite.getHistoricalData(
          token,
          interval,
          toKiteDateTime(fromMs),
          toKiteDateTime(toMs),
          false,
          true,
        ),
      );
      return candles.map((c) => ({
        time: c.date.getTime(),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
        ...(c.oi !== undefined && { oi: c.oi }),
      }));
    },

    async getContractNote(orders) {
      if (orders.length === 0) return [];
      const params = toKiteContractNoteParams(orders);
      const rows = await call('getContractNote', () => kite.getvirtualContractNote(params));
      return parseContractNote(orders, rows);
    },
  };
}
