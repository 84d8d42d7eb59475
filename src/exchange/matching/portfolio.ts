import type { KiteTrade, Product } from './order-types';

/** Kite's position row. Values in rupees; pnl marks the open quantity to last_price. */
export interface KitePosition {
  tradingsymbol: string;
  exchange: 'NFO';
  instrument_token: number;
  product: Product;
  quantity: number;
  overnight_quantity: number;
  multiplier: number;
  average_price: number;
  close_price: number;
  last_price: number;
  value: number;
  pnl: number;
  m2m: number;
  unrealised: number;
  realised: number;
  buy_quantity: number;
  buy_price: number;
  buy_value: number;
  buy_m2m: number;
  sell_quantity: number;
  sell_price: number;
  sell_value: number;
  sell_m2m: number;
  day_buy_quantity: number;
  day_buy_price: number;
  day_buy_value: number;
  day_sell_quantity: number;
  day_sell_price: number;
  day_sell_value: number;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
const avg = (value: number, qty: number): number => (qty > 0 ? round2(value / qty) : 0);

interface Totals {
  buyQty: number;
  buyValue: number;
  sellQty: number;
  sellValue: number;
}

function totalsOf(trades: KiteTrade[]): Totals {
  const t = { buyQty: 0, buyValue: 0, sellQty: 0, sellValue: 0 };
  for (const tr of trades) {
    if (tr.transaction_type === 'BUY') {
      t.buyQty += tr.quantity;
      t.buyValue += tr.quantity * tr.average_price;
    } else {
      t.sellQty += tr.quantity;
      t.sellValue += tr.quantity * tr.average_price;
    }
  }
  return t;
}

function positionOf(trades: KiteTrade[], today: string, lastPrice: number): KitePosition {
  const first = trades[0];
  const all = totalsOf(trades);
  const day = totalsOf(trades.filter((t) => t.fill_timestamp.startsWith(today)));
  const quantity = all.buyQty - all.sellQty;
  const averagePrice =
    quantity > 0
      ? avg(all.buyValue, all.buyQty)
      : quantity < 0
        ? avg(all.sellValue, all.sellQty)
        : 0;
  const value = round2(all.sellValue - all.buyValue);
  const pnl = round2(value + quantity * lastPrice);
  const unrealised = round2(quantity * (lastPrice - averagePrice));
  return {
    tradingsymbol: first.tradingsymbol,
    exchange: 'NFO',
    instrument_token: first.instrument_token,
    product: first.product,
    quantity,
    overnight_quantity: quantity - (day.buyQty - day.sellQty),
    multiplier: 1,
    average_price: averagePrice,
    close_price: 0,
    last_price: lastPrice,
    value,
    pnl,
    m2m: pnl,
    unrealised,
    realised: round2(pnl - unrealised),
    buy_quantity: all.buyQty,
    buy_price: avg(all.buyValue, all.buyQty),
    buy_value: round2(all.buyValue),
    buy_m2m: round2(all.buyValue),
    sell_quantity: all.sellQty,
    sell_price: avg(all.sellValue, all.sellQty),
    sell_value: round2(all.sellValue),
    sell_m2m: round2(all.sellValue),
    day_buy_quantity: day.buyQty,
    day_buy_price: avg(day.buyValue, day.buyQty),
    day_buy_value: round2(day.buyValue),
    day_sell_quantity: day.sellQty,
    day_sell_price: avg(day.sellValue, day.sellQty),
    day_sell_value: round2(day.sellValue),
  };
}

const contractOf = (t: KiteTrade): string => `${t.instrument_token}|${t.product}`;

function addTo(groups: Map<string, KiteTrade[]>, t: KiteTrade): string {
  const key = contractOf(t);
  const group = groups.get(key);
  if (group) group.push(t);
  else groups.set(key, [t]);
  return key;
}

function groupBy(trades: KiteTrade[]): KiteTrade[][] {
  const groups = new Map<string, KiteTrade[]>();
  for (const t of trades) addTo(groups, t);
  return [...groups.values()];
}

/** Kite's { net, day } from the trade book: net over all trades, day over today's. */
export function positionsOf(
  trades: KiteTrade[],
  today: string,
  lastPrice: (token: number) => number,
): { net: KitePosition[]; day: KitePosition[] } {
  const net = groupBy(trades).map((g) => positionOf(g, today, lastPrice(g[0].instrument_token)));
  const todays = trades.filter((t) => t.fill_timestamp.startsWith(today));
  const day = groupBy(todays).map((g) => positionOf(g, today, lastPrice(g[0].instrument_token)));
  return { net, day };
}

/**
 * The net rows of `positionsOf` kept as trades land, for the exchange's own
 * checks (margins, settlement, what a sell covers): a trade regroups only its
 * contract, where rebuilding every contract made each order after a fill
 * cost O(trades). Rows of untouched contracts keep the last price of their
 * last rebuild, as the whole book's rebuild did between trades: the checks
 * read quantities and realised P&L, which the last price moves by a paisa
 * of rounding at most.
 */
export class NetBook {
  private readonly groups = new Map<string, KiteTrade[]>();
  private readonly rows = new Map<string, KitePosition>();
  private readonly stale = new Set<string>();
  private today = '';
  private list: KitePosition[] = [];
  private readonly premium = { buyValue: 0, sellValue: 0 };

  add(trade: KiteTrade): void {
    this.stale.add(addTo(this.groups, trade));
    const value = trade.quantity * trade.average_price;
    if (trade.transaction_type === 'BUY') this.premium.buyValue += value;
    else this.premium.sellValue += value;
  }

  /** Net positions, one per contract and product in the order each first traded. */
  net(today: string, lastPrice: (token: number) => number): KitePosition[] {
    if (today !== this.today) {
      this.today = today;
      for (const key of this.groups.keys()) this.stale.add(key);
    }
    if (this.stale.size === 0) return this.list;
    for (const key of this.stale) {
      const group = this.groups.get(key) ?? [];
      this.rows.set(key, positionOf(group, today, lastPrice(group[0].instrument_token)));
    }
    this.stale.clear();
    this.list = [...this.groups.keys()].flatMap((key) => this.rows.get(key) ?? []);
    return this.list;
  }

  /** Cash paid for premium net of premium received, over the whole book. */
  get premiumPaid(): number {
    return this.premium.buyValue - this.premium.sellValue;
  }
}

export interface MarginUse {
  capital: number;
  premiumPaid: number;
  /** Held for open buy orders. */
  blocked: number;
  /** Held against short option positions. */
  span: number;
  realised: number;
}

export const availableMargin = (m: MarginUse): number =>
  m.capital - m.premiumPaid - m.blocked - m.span;

/** One segment of Kite's /user/margins, every field Kite's has. */
function segmentMargins(m: MarginUse, enabled: boolean) {
  const net = round2(availableMargin(m));
  return {
    enabled,
    net,
    available: {
      adhoc_margin: 0,
      cash: m.capital,
      opening_balance: m.capital,
      live_balance: net,
      collateral: 0,
      intraday_payin: 0,
    },
    utilised: {
      debits: round2(m.premiumPaid + m.blocked + m.span),
      exposure: 0,
      m2m_realised: round2(m.realised),
      m2m_unrealised: 0,
      option_premium: round2(m.premiumPaid + m.blocked),
      payout: 0,
      span: round2(m.span),
      holding_sales: 0,
      turnover: 0,
      liquid_collateral: 0,
      stock_collateral: 0,
      delivery: 0,
    },
  };
}

/** Kite's /user/margins/equity object. */
export const equityMargins = (m: MarginUse) => segmentMargins(m, true);

const NOTHING: MarginUse = { capital: 0, premiumPaid: 0, blocked: 0, span: 0, realised: 0 };

/** Kite's commodity segment in the same shape: the paper account has no MCX funds, so it is off. */
export const commodityMargins = () => segmentMargins(NOTHING, false);
