import { freezeQtyOn } from '../../domain/market-facts';
import { isTickMultiple } from '../../domain/money';
import { inputError } from '../errors';
import { isOption, type Instrument } from '../market/instrument';
import type { OrderType, Product, TransactionType, Validity } from './order-types';

/** Order fields after parsing; prices are zero where the order type has none. */
export interface OrderTerms {
  orderType: OrderType;
  quantity: number;
  price: number;
  triggerPrice: number;
  validity: Validity;
}

export interface PlaceRequest extends OrderTerms {
  instrument: Instrument;
  transactionType: TransactionType;
  product: Product;
  marketProtection: number;
  tag: string | null;
}

export type Params = Record<string, string | undefined>;

export const MAX_TAG_LENGTH = 20;

function oneOf<T extends string>(
  params: Params,
  field: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = params[field] ?? fallback;
  if (value === undefined || value === '') throw inputError(`Missing \`${field}\`.`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw inputError(
      `Invalid \`${field}\`: expected one of ${allowed.join(', ')}, got "${value}".`,
    );
  }
  return value as T;
}

function numberField(params: Params, field: string, integer: boolean): number | undefined {
  const raw = params[field];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw inputError(`Invalid \`${field}\`: "${raw}".`);
  }
  return value;
}

/** Shape checks shared by place and modify: prices present and sane for the order type. */
export function checkTerms(t: OrderTerms, transactionType: TransactionType): void {
  if (!Number.isInteger(t.quantity) || t.quantity <= 0)
    throw inputError('Invalid `quantity`: must be a positive integer.');
  if ((t.orderType === 'LIMIT' || t.orderType === 'SL') && !(t.price > 0)) {
    throw inputError(`Missing \`price\` for a ${t.orderType} order.`);
  }
  if ((t.orderType === 'SL' || t.orderType === 'SL-M') && !(t.triggerPrice > 0)) {
    throw inputError(`Missing \`trigger_price\` for a ${t.orderType} order.`);
  }
  if (t.orderType === 'SL') {
    const wrongSide =
      transactionType === 'BUY' ? t.triggerPrice > t.price : t.triggerPrice < t.price;
    if (wrongSide) {
      const relation =
        transactionType === 'BUY' ? 'less than or equal to' : 'greater than or equal to';
      throw inputError(
        `Trigger price for stoploss ${transactionType.toLowerCase()} orders should be ${relation} the limit price.`,
      );
    }
  }
}

function parseMarketProtection(params: Params, orderType: OrderType): number {
  const value = numberField(params, 'market_protection', false);
  const needed = orderType === 'MARKET' || orderType === 'SL-M';
  if (!needed) return value ?? 0;
  if (value === undefined || value === 0) {
    throw inputError(
      `\`market_protection\` is required for ${orderType} orders (-1 for automatic, or a percent).`,
    );
  }
  if (value !== -1 && !(value > 0 && value <= 100)) {
    throw inputError(
      `Invalid \`market_protection\`: expected -1 or a percent in (0, 100], got ${value}.`,
    );
  }
  return value;
}

/** Turns the form body of POST /orders/regular into a request, or an InputException. */
export function parsePlaceRequest(
  params: Params,
  find: (key: string) => Instrument | undefined,
): PlaceRequest {
  const exchange = oneOf(params, 'exchange', ['NFO', 'NSE', 'BSE', 'BFO', 'MCX', 'CDS']);
  const symbol = params.tradingsymbol;
  if (!symbol) throw inputError('Missing `tradingsymbol`.');
  const instrument = find(`${exchange}:${symbol}`);
  if (!instrument)
    throw inputError(`Invalid \`tradingsymbol\`: no instrument ${exchange}:${symbol}.`);
  if (!isOption(instrument)) throw inputError(`${exchange}:${symbol} is not tradable.`);
  const transactionType = oneOf(params, 'transaction_type', ['BUY', 'SELL']);
  const orderType = oneOf(params, 'order_type', ['MARKET', 'LIMIT', 'SL', 'SL-M']);
  const product = oneOf(params, 'product', ['MIS', 'NRML']);
  const validity = oneOf(params, 'validity', ['DAY', 'IOC'], 'DAY');
  const tag = params.tag || null;
  if (tag !== null && tag.length > MAX_TAG_LENGTH) {
    throw inputError(`Invalid \`tag\`: at most ${MAX_TAG_LENGTH} characters, got ${tag.length}.`);
  }
  const quantity = numberField(params, 'quantity', true);
  if (quantity === undefined) throw inputError('Missing `quantity`.');
  const usesPrice = orderType === 'LIMIT' || orderType === 'SL';
  const usesTrigger = orderType === 'SL' || orderType === 'SL-M';
  const terms: OrderTerms = {
    orderType,
    quantity,
    price: usesPrice ? (numberField(params, 'price', false) ?? 0) : 0,
    triggerPrice: usesTrigger ? (numberField(params, 'trigger_price', false) ?? 0) : 0,
    validity,
  };
  checkTerms(terms, transactionType);
  const marketProtection = parseMarketProtection(params, orderType);
  return { ...terms, instrument, transactionType, product, marketProtection, tag };
}

/** Modify accepts any subset of the terms; absent fields keep their value. */
export function parseModifyTerms(
  params: Params,
  current: OrderTerms,
  transactionType: TransactionType,
): OrderTerms {
  const orderType = oneOf(
    params,
    'order_type',
    ['MARKET', 'LIMIT', 'SL', 'SL-M'],
    current.orderType,
  );
  const terms: OrderTerms = {
    orderType,
    quantity: numberField(params, 'quantity', true) ?? current.quantity,
    price: numberField(params, 'price', false) ?? current.price,
    triggerPrice: numberField(params, 'trigger_price', false) ?? current.triggerPrice,
    validity: oneOf(params, 'validity', ['DAY', 'IOC'], current.validity),
  };
  checkTerms(terms, transactionType);
  return terms;
}

/**
 * NSE's freeze limit on `date` (IST). Kite refuses a larger order before it
 * reaches the exchange: the call fails and the order book never shows it
 * (Zerodha support, "Why is the rejected order not displayed in the order
 * book?"), with the wording its order window shows (TradingQ&A 2024: "The
 * order quantity 6300 (21 lots) is higher than the maximum quantity of 6000
 * (20 lots) allowed by the exchanges. Please reduce the order quantity or use
 * iceberg orders."). The limit's lots are the whole lots it allows.
 */
export function refuseOverFreeze(
  instrument: Instrument,
  quantity: number,
  date: string,
  lowered?: number,
): void {
  const limit = Math.min(freezeQtyOn(instrument.underlying, date), lowered ?? Infinity);
  if (quantity <= limit) return;
  const lots = (q: number) => Math.floor(q / instrument.lotSize);
  throw inputError(
    `The order quantity ${quantity} (${lots(quantity)} lots) is higher than the maximum quantity of ${limit} (${lots(limit)} lots) allowed by the exchanges. Please reduce the order quantity or use iceberg orders.`,
  );
}

/** The exchange's own checks: failures become REJECTED orders, as Kite's RMS does. */
export function contractViolation(instrument: Instrument, t: OrderTerms): string | null {
  const { lotSize, tickSize } = instrument;
  if (t.quantity % lotSize !== 0) {
    return `Quantity ${t.quantity} is not a multiple of the lot size ${lotSize}.`;
  }
  for (const [name, value] of [
    ['Price', t.price],
    ['Trigger price', t.triggerPrice],
  ] as const) {
    if (value > 0 && !isTickMultiple(value, tickSize)) {
      return `${name} ${value} is not a multiple of the tick size ${tickSize}.`;
    }
  }
  return null;
}
