import { instrumentKey } from '../market/instrument';
import type { Market, Quote } from '../market/market';
import { istTimestamp } from '../time';

type Format = 'ltp' | 'ohlc' | 'quote';

/** Five levels a side around our quoted touch, a lot or two deeper per level. */
function depth(q: Quote, lotSize: number) {
  const level = (price: number, i: number) => ({
    price: price > 0 ? Math.round(price * 100) / 100 : 0,
    quantity: price > 0 ? lotSize * (i + 1) * 2 : 0,
    orders: price > 0 ? i + 1 : 0,
  });
  const levels = [0, 1, 2, 3, 4];
  return {
    buy: levels.map((i) => level(q.bid > 0 ? q.bid - i * 0.05 : 0, i)),
    sell: levels.map((i) => level(q.ask > 0 ? q.ask + i * 0.05 : 0, i)),
  };
}

function format(market: Market, token: number, q: Quote, f: Format): object {
  const ohlc = { open: q.open, high: q.high, low: q.low, close: q.close };
  if (f === 'ltp') return { instrument_token: token, last_price: q.ltp };
  if (f === 'ohlc') return { instrument_token: token, last_price: q.ltp, ohlc };
  const lotSize = market.instrument(token)?.lotSize ?? 0;
  const book = depth(q, lotSize);
  return {
    instrument_token: token,
    timestamp: istTimestamp(q.timestamp),
    last_trade_time: istTimestamp(q.timestamp),
    last_price: q.ltp,
    last_quantity: q.lastQty,
    buy_quantity: book.buy.reduce((s, l) => s + l.quantity, 0),
    sell_quantity: book.sell.reduce((s, l) => s + l.quantity, 0),
    volume: q.volume,
    average_price: q.ltp,
    oi: 0,
    oi_day_high: 0,
    oi_day_low: 0,
    net_change: Math.round((q.ltp - q.close) * 100) / 100,
    lower_circuit_limit: 0.05,
    upper_circuit_limit: Math.round(q.close * 3 * 20) / 20,
    ohlc,
    depth: book,
  };
}

/** Kite keys the answer by the key as asked ("NFO:SYM" or a bare token); unknown keys are left out. */
export function quotesFor(market: Market, keys: string[], f: Format): Record<string, object> {
  const out: Record<string, object> = {};
  for (const key of keys) {
    const i = market.find(key);
    const q = i && market.quote(i.token);
    if (i && q) out[/^\d+$/.test(key) ? key : instrumentKey(i)] = format(market, i.token, q, f);
  }
  return out;
}
