import { NetBook, positionsOf } from '../../src/exchange/matching/portfolio';
import type { KiteTrade } from '../../src/exchange/matching/order-types';
import { mulberry32 } from '../../src/exchange/market/rng';

const trade = (n: number, rng: () => number, date: string): KiteTrade => {
  const token = 1000 + Math.floor(rng() * 6);
  return {
    trade_id: String(n),
    order_id: String(n),
    exchange: 'NFO',
    tradingsymbol: `SYM${token}`,
    instrument_token: token,
    product: rng() < 0.7 ? 'NRML' : 'MIS',
    average_price: Math.round(rng() * 40_000) / 100 + 0.05,
    quantity: 75 * (1 + Math.floor(rng() * 4)),
    exchange_order_id: String(n),
    transaction_type: rng() < 0.55 ? 'BUY' : 'SELL',
    fill_timestamp: `${date} 10:${String(n % 60).padStart(2, '0')}:00`,
    order_timestamp: `${date} 10:00:00`,
    exchange_timestamp: `${date} 10:00:00`,
  };
};

describe('NetBook', () => {
  it('keeps the net rows positionsOf builds from the whole trade book, trade by trade and across a day', () => {
    const rng = mulberry32(42);
    const book = new NetBook();
    const trades: KiteTrade[] = [];
    const lastPrice = (token: number) => token / 10;
    for (let n = 1; n <= 300; n++) {
      const date = n <= 150 ? '2026-12-07' : '2026-12-08';
      const t = trade(n, rng, date);
      trades.push(t);
      book.add(t);
      if (n % 7 === 0 || n === 151) {
        expect(book.net(date, lastPrice)).toEqual(positionsOf(trades, date, lastPrice).net);
      }
    }
    const paid = trades.reduce(
      (sum, t) => sum + (t.transaction_type === 'BUY' ? 1 : -1) * t.quantity * t.average_price,
      0,
    );
    expect(book.premiumPaid).toBeCloseTo(paid, 6);
  });

  it('rebuilds every row when the day turns, so yesterday’s fills count as overnight', () => {
    const book = new NetBook();
    const rng = mulberry32(7);
    const t = trade(1, rng, '2026-12-07');
    book.add(t);
    const lastPrice = () => 10;
    expect(book.net('2026-12-07', lastPrice)[0].overnight_quantity).toBe(0);
    const [row] = book.net('2026-12-08', lastPrice);
    const signed = t.transaction_type === 'BUY' ? t.quantity : -t.quantity;
    expect(row.overnight_quantity).toBe(signed);
  });
});
