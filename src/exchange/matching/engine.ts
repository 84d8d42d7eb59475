import { roundToTick, toPaise } from '../../domain/money';
import { inputError, orderError } from '../errors';
import type { Instrument } from '../market/instrument';
import type { Market } from '../market/market';
import { istDateOf, istTimestamp } from '../time';
import {
  isLive,
  type KiteOrder,
  type KiteTrade,
  type OrderStatus,
  type TransactionType,
} from './order-types';
import {
  availableMargin,
  equityMargins,
  NetBook,
  positionsOf,
  type KitePosition,
  type MarginUse,
} from './portfolio';
import {
  dueSettlements,
  expiryClose,
  EXPIRY_TAG,
  settlementMessage,
  type Settlement,
} from './settlement';
import {
  contractViolation,
  parseModifyTerms,
  parsePlaceRequest,
  refuseOverFreeze,
  type OrderTerms,
  type Params,
  type PlaceRequest,
} from './validate';

export type EngineEvent =
  { k: 'order'; order: KiteOrder; limit: number } | { k: 'trade'; trade: KiteTrade };

export interface EngineOptions {
  market: Market;
  now: () => number;
  capital: number;
  partialFillRatio: number;
  isSessionOpen: (epochMs: number) => boolean;
  /**
   * Durable sink, one call per command; the engine's state is exactly the
   * replay of these events. A promise says when they are durable.
   */
  persist: (events: EngineEvent[]) => Promise<void> | void;
  /** Sent once the command's events are durable, so no update announces what a crash could lose. */
  onOrderUpdate: (order: KiteOrder) => void;
  /** A control-injected rejection reason for the next order, if any. */
  injectedRejection: () => string | null;
  /** A freeze limit lowered below the dated table's (a fault), by underlying. */
  loweredFreezeLimit?: (underlying: string) => number | undefined;
  userId: string;
}

interface Batch {
  events: EngineEvent[];
  updates: KiteOrder[];
}

interface OrderState {
  history: KiteOrder[];
  /** Effective limit in rupees once live: the price, or the protection band for MARKET/SL-M. */
  limit: number;
}

/** Kite holds roughly this fraction of notional against a short option. */
const SHORT_MARGIN_RATE = 0.12;
/** Automatic market protection: 5% of the price, at least five ticks. */
const AUTO_PROTECTION = { pct: 5, minPoints: 0.25 };
const TRANSIENT: OrderStatus[] = [
  'PUT ORDER REQ RECEIVED',
  'VALIDATION PENDING',
  'OPEN PENDING',
  'MODIFY VALIDATION PENDING',
  'MODIFY PENDING',
  'CANCEL PENDING',
];

export function protectionPrice(side: TransactionType, ltp: number, protection: number): number {
  const band =
    protection === -1
      ? Math.max((ltp * AUTO_PROTECTION.pct) / 100, AUTO_PROTECTION.minPoints)
      : (ltp * protection) / 100;
  return side === 'BUY'
    ? roundToTick(ltp + band, 0.05, 'up')
    : Math.max(0.05, roundToTick(ltp - band, 0.05, 'down'));
}

const current = (s: OrderState): KiteOrder => s.history[s.history.length - 1];
const terms = (o: KiteOrder): OrderTerms => ({
  orderType: o.order_type,
  quantity: o.quantity,
  price: o.price,
  triggerPrice: o.trigger_price,
  validity: o.validity,
});

export class MatchingEngine {
  private readonly orders = new Map<string, OrderState>();
  private readonly trades: KiteTrade[] = [];
  private readonly netBook = new NetBook();
  /**
   * Nothing on the books expires before this, so a settlement pass before it
   * has nothing to do: every read and order ran one, a pass over every order
   * and the net book, most of an order's cost at 2,000 orders. Each pass sets
   * it to the next close among the contracts with a live order or a
   * position; an order on a contract closing sooner lowers it.
   */
  private nextExpiryClose = -Infinity;
  private orderSeq = 0;
  private tradeSeq = 0;
  /** What the command under way has recorded and not yet persisted or announced. */
  private batch: Batch | undefined;

  constructor(
    private readonly o: EngineOptions,
    replay: EngineEvent[] = [],
  ) {
    for (const e of replay) this.apply(e);
    // Contracts from earlier days are off today's listing; positions in them still need a price.
    for (const symbol of new Set(this.trades.map((t) => t.tradingsymbol))) o.market.relist(symbol);
    this.commit(() => {
      for (const state of this.orders.values()) this.settleAfterRestart(state);
    });
  }

  /**
   * One command's records persisted together, then announced once durable.
   * A market order records five or six transitions and a trade; persisted
   * one by one, each was an fsync, and simultaneous exits queued behind
   * each other's fsyncs (about 6 ms an order here, 10 ms apart at the
   * exchange in capacity's bursts). Nested commands join the outer one.
   */
  private commit<T>(command: () => T): T {
    if (this.batch) return command();
    const batch: Batch = { events: [], updates: [] };
    this.batch = batch;
    try {
      return command();
    } finally {
      this.batch = undefined;
      const announce = () => {
        for (const order of batch.updates) this.o.onOrderUpdate(order);
      };
      const durable = batch.events.length > 0 ? this.o.persist(batch.events) : undefined;
      // A failed fsync is not survivable: unhandled, it stops the exchange rather than announce.
      if (durable) void durable.then(announce);
      else announce();
    }
  }

  /** Inside a command, as everything that changes the books is. */
  private inBatch(): Batch {
    if (!this.batch) throw new Error('the matching engine recorded outside a command');
    return this.batch;
  }

  // ---- queries -------------------------------------------------------------

  // Every read settles what expired first, so the books always read as of the clock.

  list(): KiteOrder[] {
    this.settleExpiries();
    return [...this.orders.values()].map(current);
  }

  history(orderId: string): KiteOrder[] {
    this.settleExpiries();
    return this.get(orderId).history;
  }

  tradesOf(orderId: string): KiteTrade[] {
    this.settleExpiries();
    this.get(orderId);
    return this.trades.filter((t) => t.order_id === orderId);
  }

  allTrades(): KiteTrade[] {
    this.settleExpiries();
    return [...this.trades];
  }

  /** An order's latest state and its trades, or undefined for an id this exchange never issued. */
  find(orderId: string): { order: KiteOrder; trades: KiteTrade[] } | undefined {
    this.settleExpiries();
    const state = this.orders.get(orderId);
    if (!state) return undefined;
    return { order: current(state), trades: this.trades.filter((t) => t.order_id === orderId) };
  }

  positions() {
    this.settleExpiries();
    return this.book();
  }

  marginUse(): MarginUse {
    const net = this.held();
    let span = 0;
    for (const p of net) {
      if (p.quantity < 0) span += -p.quantity * this.spotOf(p.instrument_token) * SHORT_MARGIN_RATE;
    }
    const blocked = [...this.orders.values()]
      .map(current)
      .filter((o) => isLive(o) && o.transaction_type === 'BUY')
      .reduce((sum, o) => sum + o.pending_quantity * this.blockPrice(o), 0);
    const realised = net.reduce((sum, p) => sum + p.realised, 0);
    return {
      capital: this.o.capital,
      premiumPaid: this.netBook.premiumPaid,
      blocked,
      span,
      realised,
    };
  }

  margins() {
    this.settleExpiries();
    return equityMargins(this.marginUse());
  }

  /**
   * At an expiry day's close every position in the expiring contracts
   * settles at intrinsic value and whatever still rests on them is
   * cancelled, as NSE does. Idempotent: a settled position is flat.
   */
  settleExpiries(): void {
    this.commit(() => this.settleExpired());
  }

  private settleExpired(): void {
    const now = this.o.now();
    if (now < this.nextExpiryClose) return;
    for (const state of this.orders.values()) {
      const o = current(state);
      const instrument = this.o.market.instrument(o.instrument_token);
      if (isLive(o) && instrument && now >= expiryClose(instrument))
        this.cancelRemainder(state, 'The contract has expired.');
    }
    const due = dueSettlements(
      this.held(),
      (token) => this.o.market.instrument(token),
      now,
      (u, date) => this.o.market.closingSpot(u, date),
    );
    for (const s of due) this.bookSettlement(s);
    this.nextExpiryClose = this.nextCloseAfter(now);
  }

  /** The earliest expiry close after `now` of a contract with a live order or a position. */
  private nextCloseAfter(now: number): number {
    const tokens = new Set<number>();
    for (const state of this.orders.values()) {
      const o = current(state);
      if (isLive(o)) tokens.add(o.instrument_token);
    }
    for (const p of this.held()) if (p.quantity !== 0) tokens.add(p.instrument_token);
    let next = Infinity;
    for (const token of tokens) {
      const instrument = this.o.market.instrument(token);
      const close = instrument ? expiryClose(instrument) : now;
      // An unparseable expiry never lets a pass be skipped.
      next = Math.min(next, close > now ? close : -Infinity);
    }
    return next;
  }

  // ---- commands ------------------------------------------------------------

  place(params: Params): string {
    return this.commit(() => this.placeNow(params));
  }

  private placeNow(params: Params): string {
    this.settleExpiries();
    const req = parsePlaceRequest(params, (key) => this.o.market.find(key));
    this.nextExpiryClose = Math.min(this.nextExpiryClose, expiryClose(req.instrument));
    const now = this.o.now();
    refuseOverFreeze(
      req.instrument,
      req.quantity,
      istDateOf(now),
      this.o.loweredFreezeLimit?.(req.instrument.underlying),
    );
    const orderId = this.nextOrderId(now);
    const base = this.newOrder(orderId, now, req);
    const state: OrderState = { history: [], limit: 0 };
    this.orders.set(orderId, state);
    this.record(state, base);
    this.record(state, { status: 'VALIDATION PENDING' });
    const rejection =
      this.o.injectedRejection() ??
      (this.o.isSessionOpen(now) ? null : 'Markets are closed right now.') ??
      contractViolation(req.instrument, req) ??
      this.marginShortfall(req.instrument, req.transactionType, req.product, req, 0);
    if (rejection) {
      this.record(state, {
        status: 'REJECTED',
        status_message: rejection,
        status_message_raw: rejection,
        pending_quantity: 0,
      });
      return orderId;
    }
    this.record(state, { status: 'OPEN PENDING' });
    this.activate(state, false);
    return orderId;
  }

  modify(orderId: string, params: Params): string {
    return this.commit(() => this.modifyNow(orderId, params));
  }

  private modifyNow(orderId: string, params: Params): string {
    this.settleExpiries();
    const state = this.get(orderId);
    const o = current(state);
    if (!isLive(o)) throw orderError(`Order cannot be modified as it is ${o.status}.`);
    const next = parseModifyTerms(params, terms(o), o.transaction_type);
    if (next.quantity <= o.filled_quantity) {
      throw inputError(`Quantity must exceed the filled quantity ${o.filled_quantity}.`);
    }
    const instrument = this.instrumentOf(o);
    refuseOverFreeze(
      instrument,
      next.quantity,
      istDateOf(this.o.now()),
      this.o.loweredFreezeLimit?.(instrument.underlying),
    );
    const problem =
      contractViolation(instrument, next) ??
      this.marginShortfall(
        instrument,
        o.transaction_type,
        o.product,
        next,
        o.pending_quantity * this.blockPrice(o),
      );
    if (problem) throw orderError(problem);
    const wasTriggered = o.status === 'OPEN' && (o.order_type === 'SL' || o.order_type === 'SL-M');
    this.record(state, { status: 'MODIFY VALIDATION PENDING' });
    this.record(state, { status: 'MODIFY PENDING' });
    const patch = {
      order_type: next.orderType,
      quantity: next.quantity,
      price: next.orderType === 'LIMIT' || next.orderType === 'SL' ? next.price : 0,
      trigger_price: next.orderType === 'SL' || next.orderType === 'SL-M' ? next.triggerPrice : 0,
      validity: next.validity,
      pending_quantity: next.quantity - o.filled_quantity,
      modified: true,
    };
    this.record(state, { status: 'OPEN PENDING', ...patch });
    this.activate(state, wasTriggered);
    return orderId;
  }

  cancel(orderId: string): string {
    return this.commit(() => this.cancelNow(orderId));
  }

  private cancelNow(orderId: string): string {
    const state = this.get(orderId);
    const o = current(state);
    if (!isLive(o)) throw orderError(`Order cannot be cancelled as it is ${o.status}.`);
    this.record(state, { status: 'CANCEL PENDING' });
    this.cancelRemainder(state, null);
    return orderId;
  }

  /** Called on every tick: trigger stops and fill whatever the market now crosses. */
  match(): void {
    this.commit(() => {
      this.settleExpiries();
      for (const state of this.orders.values()) {
        if (isLive(current(state))) this.tryFill(state);
      }
    });
  }

  // ---- internals -----------------------------------------------------------

  private book() {
    const today = istDateOf(this.o.now());
    return positionsOf(this.trades, today, (token) => this.o.market.quote(token)?.ltp ?? 0);
  }

  /** The net book for the engine's own checks, which read quantities and realised P&L only. */
  private held(): KitePosition[] {
    return this.netBook.net(
      istDateOf(this.o.now()),
      (token) => this.o.market.quote(token)?.ltp ?? 0,
    );
  }

  private bookTrade(trade: KiteTrade): void {
    this.trades.push(trade);
    this.netBook.add(trade);
  }

  private newOrder(orderId: string, at: number, req: PlaceRequest): KiteOrder {
    return {
      account_id: this.o.userId,
      placed_by: this.o.userId,
      order_id: orderId,
      exchange_order_id: null,
      parent_order_id: null,
      status: 'PUT ORDER REQ RECEIVED',
      status_message: null,
      status_message_raw: null,
      order_timestamp: istTimestamp(at),
      exchange_update_timestamp: null,
      exchange_timestamp: null,
      variety: 'regular',
      modified: false,
      exchange: 'NFO',
      tradingsymbol: req.instrument.tradingsymbol,
      instrument_token: req.instrument.token,
      order_type: req.orderType,
      transaction_type: req.transactionType,
      validity: req.validity,
      validity_ttl: 0,
      product: req.product,
      quantity: req.quantity,
      disclosed_quantity: 0,
      price: req.price,
      trigger_price: req.triggerPrice,
      average_price: 0,
      filled_quantity: 0,
      pending_quantity: req.quantity,
      cancelled_quantity: 0,
      market_protection: req.marketProtection,
      meta: {},
      tag: req.tag,
      tags: req.tag ? [req.tag] : [],
      guid: `paper-${orderId}`,
    };
  }

  /** The settlement's trade, then its order, complete from the start: no one placed it. */
  private bookSettlement(s: Settlement): void {
    const orderId = this.nextOrderId(s.at);
    const message = settlementMessage(s);
    const order: KiteOrder = {
      ...this.newOrder(orderId, s.at, {
        instrument: s.instrument,
        transactionType: s.side,
        product: s.product,
        orderType: 'MARKET',
        quantity: s.quantity,
        price: 0,
        triggerPrice: 0,
        validity: 'DAY',
        marketProtection: 0,
        tag: EXPIRY_TAG,
      }),
      exchange_order_id: `1${orderId}`,
      status: 'COMPLETE',
      status_message: message,
      status_message_raw: message,
      exchange_timestamp: istTimestamp(s.at),
      average_price: s.price,
      filled_quantity: s.quantity,
      pending_quantity: 0,
    };
    this.addTrade(order, s.quantity, s.price, s.at);
    const state: OrderState = { history: [], limit: 0 };
    this.orders.set(orderId, state);
    this.record(state, order);
  }

  private addTrade(o: KiteOrder, quantity: number, price: number, at: number): void {
    const trade: KiteTrade = {
      trade_id: String(10_000_000 + ++this.tradeSeq),
      order_id: o.order_id,
      exchange: 'NFO',
      tradingsymbol: o.tradingsymbol,
      instrument_token: o.instrument_token,
      product: o.product,
      average_price: price,
      quantity,
      exchange_order_id: o.exchange_order_id ?? '',
      transaction_type: o.transaction_type,
      fill_timestamp: istTimestamp(at),
      order_timestamp: o.order_timestamp,
      exchange_timestamp: istTimestamp(at),
    };
    this.bookTrade(trade);
    this.inBatch().events.push({ k: 'trade', trade });
  }

  private get(orderId: string): OrderState {
    const state = this.orders.get(orderId);
    if (!state) throw inputError(`Couldn't find that \`order_id\`: ${orderId}.`);
    return state;
  }

  private instrumentOf(o: KiteOrder): Instrument {
    const i = this.o.market.instrument(o.instrument_token);
    if (!i) throw orderError(`${o.tradingsymbol} is no longer listed.`);
    return i;
  }

  private spotOf(token: number): number {
    const i = this.o.market.instrument(token);
    return i ? this.o.market.spot(i.underlying) : 0;
  }

  private ltp(token: number): number {
    return this.o.market.quote(token)?.ltp ?? 0;
  }

  /** What one unit of an open buy order holds: its worst-case fill price. */
  private blockPrice(o: KiteOrder): number {
    if (o.order_type === 'LIMIT' || o.order_type === 'SL') return o.price;
    const reference =
      o.order_type === 'SL-M' && o.status === 'TRIGGER PENDING'
        ? o.trigger_price
        : this.ltp(o.instrument_token);
    return protectionPrice('BUY', reference, o.market_protection);
  }

  private marginShortfall(
    instrument: Instrument,
    side: TransactionType,
    product: string,
    t: OrderTerms & { marketProtection?: number },
    alreadyHeld: number,
  ): string | null {
    let required: number;
    if (side === 'BUY') {
      const ref =
        t.orderType === 'LIMIT' || t.orderType === 'SL'
          ? t.price
          : t.orderType === 'SL-M'
            ? t.triggerPrice
            : this.ltp(instrument.token);
      const unit =
        t.orderType === 'LIMIT' || t.orderType === 'SL'
          ? ref
          : protectionPrice('BUY', ref, t.marketProtection ?? -1);
      required = unit * t.quantity - alreadyHeld;
    } else {
      const long = this.held().find(
        (p) => p.instrument_token === instrument.token && p.product === product,
      );
      const uncovered = Math.max(0, t.quantity - Math.max(0, long?.quantity ?? 0));
      required = uncovered * this.o.market.spot(instrument.underlying) * SHORT_MARGIN_RATE;
    }
    const available = availableMargin(this.marginUse());
    if (required <= available + 1e-6) return null;
    return `Insufficient funds. Required margin is ${required.toFixed(2)} but available margin is ${available.toFixed(2)}.`;
  }

  /** OPEN PENDING -> OPEN or TRIGGER PENDING, then an immediate match attempt. */
  private activate(state: OrderState, keepTriggered: boolean): void {
    const o = current(state);
    const stop = o.order_type === 'SL' || o.order_type === 'SL-M';
    const exchangeOrderId = o.exchange_order_id ?? `1${o.order_id}`;
    if (stop && !keepTriggered) {
      state.limit = 0;
      this.record(state, { status: 'TRIGGER PENDING', exchange_order_id: exchangeOrderId });
    } else {
      if (o.order_type === 'LIMIT' || o.order_type === 'SL') state.limit = o.price;
      else if (o.order_type === 'MARKET')
        state.limit = protectionPrice(
          o.transaction_type,
          this.ltp(o.instrument_token),
          o.market_protection,
        );
      this.record(state, { status: 'OPEN', exchange_order_id: exchangeOrderId });
    }
    this.tryFill(state);
    if (o.validity === 'IOC' && isLive(current(state)))
      this.cancelRemainder(state, 'IOC order cancelled: no more quantity at the price.');
  }

  private cancelRemainder(state: OrderState, message: string | null): void {
    const o = current(state);
    this.record(state, {
      status: 'CANCELLED',
      cancelled_quantity: o.pending_quantity,
      pending_quantity: 0,
      status_message: message,
      status_message_raw: message,
    });
  }

  private tryFill(state: OrderState): void {
    const q = this.o.market.quote(current(state).instrument_token);
    if (!q) return;
    let o = current(state);
    const buy = o.transaction_type === 'BUY';
    if (o.status === 'TRIGGER PENDING') {
      const hit = buy
        ? toPaise(q.ltp) >= toPaise(o.trigger_price)
        : toPaise(q.ltp) <= toPaise(o.trigger_price);
      if (!hit) return;
      state.limit =
        o.order_type === 'SL'
          ? o.price
          : protectionPrice(o.transaction_type, q.ltp, o.market_protection);
      o = this.record(state, { status: 'OPEN' });
    }
    const price = buy ? q.ask : q.bid;
    if (price <= 0) return;
    const crosses = buy
      ? toPaise(price) <= toPaise(state.limit)
      : toPaise(price) >= toPaise(state.limit);
    if (!crosses) return;
    const qty = this.fillQuantity(o);
    const now = this.o.now();
    this.addTrade(o, qty, price, now);
    this.o.market.recordTrade(o.instrument_token, qty);
    const filled = o.filled_quantity + qty;
    const averagePrice =
      Math.round(((o.average_price * o.filled_quantity + price * qty) / filled) * 100) / 100;
    this.record(state, {
      status: filled === o.quantity ? 'COMPLETE' : 'OPEN',
      filled_quantity: filled,
      pending_quantity: o.quantity - filled,
      average_price: averagePrice,
      exchange_timestamp: istTimestamp(now),
    });
  }

  /** With partial fills on, the first fill takes that share (whole lots) and the rest comes later. */
  private fillQuantity(o: KiteOrder): number {
    if (this.o.partialFillRatio <= 0 || o.filled_quantity > 0) return o.pending_quantity;
    const lot = this.instrumentOf(o).lotSize;
    const part = Math.floor((o.quantity * this.o.partialFillRatio) / lot) * lot;
    return part > 0 && part < o.pending_quantity ? part : o.pending_quantity;
  }

  private record(state: OrderState, patch: Partial<KiteOrder>): KiteOrder {
    const prev = state.history.length > 0 ? current(state) : undefined;
    const now = istTimestamp(this.o.now());
    const order = { ...prev, ...patch, exchange_update_timestamp: prev ? now : null } as KiteOrder;
    state.history.push(order);
    const batch = this.inBatch();
    batch.events.push({ k: 'order', order, limit: state.limit });
    batch.updates.push(order);
    return order;
  }

  private apply(e: EngineEvent): void {
    if (e.k === 'trade') {
      this.bookTrade(e.trade);
      this.tradeSeq = Math.max(this.tradeSeq, Number(e.trade.trade_id) - 10_000_000);
      return;
    }
    const id = e.order.order_id;
    const state = this.orders.get(id) ?? { history: [], limit: 0 };
    state.history.push(e.order);
    state.limit = e.limit;
    this.orders.set(id, state);
    this.orderSeq = Math.max(this.orderSeq, Number(id.slice(6)));
  }

  /**
   * A crash between journal lines can leave an order mid-transition. An
   * unfinished cancel completes; any other transition falls back to the last
   * live state, or to REJECTED if the order never went live.
   */
  private settleAfterRestart(state: OrderState): void {
    const o = current(state);
    if (!TRANSIENT.includes(o.status)) return;
    if (o.status === 'CANCEL PENDING') return this.cancelRemainder(state, null);
    const lastLive = [...state.history].reverse().find(isLive);
    if (lastLive) this.record(state, { ...lastLive });
    else
      this.record(state, {
        status: 'REJECTED',
        status_message: 'Exchange restarted before the order went live.',
        pending_quantity: 0,
      });
  }

  private nextOrderId(now: number): string {
    const yymmdd = istDateOf(now).slice(2).replace(/-/g, '');
    return `${yymmdd}${String(++this.orderSeq).padStart(9, '0')}`;
  }
}
