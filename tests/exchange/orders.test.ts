import type { Connect } from 'kiteconnect';
import type { ExchangeControl } from '../../src/exchange/control-client';
import { atmOption, startTestExchange, waitFor, type Row } from './helpers';

type Order = Record<string, unknown> & { status: string; order_id: string };

let ex: Awaited<ReturnType<typeof startTestExchange>>['ex'];
let kite: Connect;
let control: ExchangeControl;
let ce: Row;
let token: number;

beforeAll(async () => {
  ({ ex, kite, control } = await startTestExchange());
  ce = await atmOption(kite);
  token = Number(ce.instrument_token);
});
afterAll(() => ex.close());
beforeEach(() => control.pinPrice(token, 100));

const params = (over: Record<string, unknown> = {}) =>
  ({
    exchange: 'NFO',
    tradingsymbol: ce.tradingsymbol,
    transaction_type: 'BUY',
    quantity: 65,
    product: 'MIS',
    order_type: 'LIMIT',
    price: 100,
    ...over,
  }) as never;

const place = async (over: Record<string, unknown> = {}) =>
  (await kite.placeOrder('regular', params(over))).order_id;
const latest = async (id: string): Promise<Order> => {
  const history = (await kite.getOrderHistory(id)) as Order[];
  return history[history.length - 1];
};
const statuses = async (id: string) =>
  ((await kite.getOrderHistory(id)) as Order[]).map((o) => o.status);
const until = (id: string, status: string) =>
  waitFor(
    () => latest(id),
    (o) => o.status === status,
  );

describe('order types', () => {
  it('fills a MARKET buy at the ask with the full Kite status history', async () => {
    const id = await place({
      order_type: 'MARKET',
      price: undefined,
      market_protection: -1,
      tag: 'mkt-1',
    });
    const o = await latest(id);
    expect(o).toMatchObject({
      status: 'COMPLETE',
      average_price: 100,
      filled_quantity: 65,
      pending_quantity: 0,
      tag: 'mkt-1',
    });
    expect(await statuses(id)).toEqual([
      'PUT ORDER REQ RECEIVED',
      'VALIDATION PENDING',
      'OPEN PENDING',
      'OPEN',
      'COMPLETE',
    ]);
    const trades = (await kite.getOrderTrades(id)) as Array<Record<string, unknown>>;
    expect(trades).toEqual([
      expect.objectContaining({
        order_id: id,
        quantity: 65,
        average_price: 100,
        transaction_type: 'BUY',
      }),
    ]);
  });

  it('fills MARKET buys at the ask and sells at the bid of the live book', async () => {
    // A still market (no ticks during the test) so the quote read first is the book the order meets.
    const still = await startTestExchange({ tickIntervalMs: 60_000 });
    try {
      const row = await atmOption(still.kite);
      const key = `NFO:${row.tradingsymbol}`;
      const quote = (await still.kite.getQuote([key]))[key] as {
        depth: { buy: { price: number }[]; sell: { price: number }[] };
      };
      const [bid, ask] = [quote.depth.buy[0].price, quote.depth.sell[0].price];
      expect(ask).toBeGreaterThan(bid);
      const market = {
        tradingsymbol: row.tradingsymbol,
        order_type: 'MARKET',
        price: undefined,
        market_protection: -1,
      };
      const buy = (await still.kite.placeOrder('regular', params(market))).order_id;
      const sell = (
        await still.kite.placeOrder('regular', params({ ...market, transaction_type: 'SELL' }))
      ).order_id;
      const last = async (id: string) => ((await still.kite.getOrderHistory(id)) as Order[]).pop();
      expect(await last(buy)).toMatchObject({ status: 'COMPLETE', average_price: ask });
      expect(await last(sell)).toMatchObject({ status: 'COMPLETE', average_price: bid });
    } finally {
      await still.ex.close();
    }
  });

  it('keeps a LIMIT buy open until the ask reaches the limit, then fills at the ask', async () => {
    await control.pinPrice(token, 96);
    const id = await place({ price: 95 });
    expect((await latest(id)).status).toBe('OPEN');
    await control.pinPrice(token, 95.5);
    expect((await latest(id)).status).toBe('OPEN');
    await control.pinPrice(token, 94);
    expect(await until(id, 'COMPLETE')).toMatchObject({ average_price: 94 });
  });

  it('triggers an SL sell exactly at its trigger and fills within the limit', async () => {
    const id = await place({
      transaction_type: 'SELL',
      order_type: 'SL',
      trigger_price: 90,
      price: 89,
    });
    expect((await latest(id)).status).toBe('TRIGGER PENDING');
    await control.pinPrice(token, 90.05);
    expect((await latest(id)).status).toBe('TRIGGER PENDING');
    await control.pinPrice(token, 90);
    expect(await until(id, 'COMPLETE')).toMatchObject({ average_price: 90 });
    expect(await statuses(id)).toEqual([
      'PUT ORDER REQ RECEIVED',
      'VALIDATION PENDING',
      'OPEN PENDING',
      'TRIGGER PENDING',
      'OPEN',
      'COMPLETE',
    ]);
  });

  it('triggers an SL-M sell along a scripted price path', async () => {
    const id = await place({
      transaction_type: 'SELL',
      order_type: 'SL-M',
      trigger_price: 80,
      market_protection: -1,
      price: undefined,
    });
    await control.scriptPrices(token, [85, 82, 79.5], 30);
    expect(await until(id, 'COMPLETE')).toMatchObject({ average_price: 79.5 });
  });

  it('triggers an SL buy when the price rises to the trigger', async () => {
    const id = await place({ order_type: 'SL', trigger_price: 110, price: 111 });
    await control.pinPrice(token, 110);
    expect(await until(id, 'COMPLETE')).toMatchObject({ average_price: 110 });
  });

  it('cancels an IOC remainder that cannot fill at once', async () => {
    const id = await place({ price: 99, validity: 'IOC' });
    expect(await latest(id)).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 65 });
  });
});

describe('modify and cancel', () => {
  it('modifies an open LIMIT order through MODIFY PENDING and fills at the new price', async () => {
    const id = await place({ price: 90 });
    await kite.modifyOrder('regular', id, { price: 100 });
    const o = await until(id, 'COMPLETE');
    expect(o).toMatchObject({ price: 100, modified: true, average_price: 100 });
    expect(await statuses(id)).toEqual(
      expect.arrayContaining(['MODIFY VALIDATION PENDING', 'MODIFY PENDING']),
    );
  });

  it('cancels an open order through CANCEL PENDING and refuses to cancel it twice', async () => {
    const id = await place({ price: 90 });
    await kite.cancelOrder('regular', id);
    expect(await latest(id)).toMatchObject({
      status: 'CANCELLED',
      cancelled_quantity: 65,
      pending_quantity: 0,
    });
    expect((await statuses(id)).slice(-2)).toEqual(['CANCEL PENDING', 'CANCELLED']);
    await expect(kite.cancelOrder('regular', id)).rejects.toMatchObject({
      error_type: 'OrderException',
    });
    await expect(kite.modifyOrder('regular', id, { price: 95 })).rejects.toMatchObject({
      error_type: 'OrderException',
    });
  });

  it('rejects a modification that breaks a contract rule and leaves the order as it was', async () => {
    const id = await place({ price: 90 });
    await expect(kite.modifyOrder('regular', id, { quantity: 70 })).rejects.toMatchObject({
      error_type: 'OrderException',
      message: expect.stringContaining('lot size'),
    });
    expect(await latest(id)).toMatchObject({ status: 'OPEN', quantity: 65 });
    await kite.cancelOrder('regular', id);
  });

  it('answers InputException for an unknown order id', async () => {
    await expect(kite.getOrderHistory('999')).rejects.toMatchObject({
      error_type: 'InputException',
    });
  });
});

describe('rejections', () => {
  it.each([
    ['lot multiple', { quantity: 70 }, 'not a multiple of the lot size 65'],
    ['tick multiple', { price: 100.03 }, 'not a multiple of the tick size 0.05'],
    ['margin', { quantity: 65 * 27, price: 600 }, 'Insufficient funds'],
  ])(
    'rejects an order that breaks the %s rule as REJECTED with a reason',
    async (_rule, over, reason) => {
      const id = await place(over);
      const o = await latest(id);
      expect(o.status).toBe('REJECTED');
      expect(o.status_message).toContain(reason);
      expect(await statuses(id)).toEqual([
        'PUT ORDER REQ RECEIVED',
        'VALIDATION PENDING',
        'REJECTED',
      ]);
    },
  );

  it.each([
    [
      'MARKET without market_protection',
      { order_type: 'MARKET', price: undefined },
      'market_protection',
    ],
    ['product CNC', { product: 'CNC' }, '`product`'],
    ['a tag over 20 characters', { tag: 'x'.repeat(21) }, '`tag`'],
    ['a LIMIT without price', { price: undefined }, '`price`'],
    ['an unknown symbol', { tradingsymbol: 'NIFTY99N0112345CE' }, '`tradingsymbol`'],
    ['an index', { exchange: 'NSE', tradingsymbol: 'NIFTY 50' }, 'not tradable'],
    ['a zero quantity', { quantity: 0 }, '`quantity`'],
    [
      "a quantity over the day's freeze limit",
      { quantity: 65 * 28 },
      'The order quantity 1820 (28 lots) is higher than the maximum quantity of 1800 (27 lots) allowed by the exchanges.',
    ],
    [
      'an SL buy with trigger above price',
      { order_type: 'SL', trigger_price: 101, price: 100 },
      'Trigger price',
    ],
  ])('refuses %s with InputException and records nothing', async (_case, over, message) => {
    const before = ((await kite.getOrders()) as Order[]).length;
    await expect(place(over)).rejects.toMatchObject({
      error_type: 'InputException',
      message: expect.stringContaining(message),
    });
    expect(((await kite.getOrders()) as Order[]).length).toBe(before);
  });

  it('refuses varieties other than regular', async () => {
    await expect(kite.placeOrder('amo', params())).rejects.toMatchObject({
      error_type: 'InputException',
    });
  });
});

describe('book, positions and margins', () => {
  it('lists orders and trades and nets positions with P&L', async () => {
    const pe = await atmOption(kite, 'BANKNIFTY', 'PE');
    const peToken = Number(pe.instrument_token);
    await control.pinPrice(peToken, 200);
    const before = (await kite.getMargins('equity')) as { net: number };
    const buy = await place({
      tradingsymbol: pe.tradingsymbol,
      quantity: 60,
      order_type: 'MARKET',
      price: undefined,
      market_protection: -1,
    });
    const afterBuy = (await kite.getMargins('equity')) as {
      net: number;
      utilised: { option_premium: number };
    };
    expect(before.net - afterBuy.net).toBeCloseTo(60 * 200, 2);
    await control.pinPrice(peToken, 215.5);
    const sell = await place({
      tradingsymbol: pe.tradingsymbol,
      quantity: 60,
      transaction_type: 'SELL',
      order_type: 'MARKET',
      price: undefined,
      market_protection: -1,
    });
    const { net, day } = (await kite.getPositions()) as {
      net: Array<Record<string, number | string>>;
      day: Array<Record<string, number | string>>;
    };
    const position = net.find((p) => p.tradingsymbol === pe.tradingsymbol);
    expect(position).toMatchObject({
      quantity: 0,
      buy_quantity: 60,
      sell_quantity: 60,
      buy_price: 200,
      sell_price: 215.5,
      pnl: 930,
      realised: 930,
      product: 'MIS',
    });
    expect(day.find((p) => p.tradingsymbol === pe.tradingsymbol)).toMatchObject({
      quantity: 0,
      pnl: 930,
    });
    const trades = (await kite.getTrades()) as Array<{ order_id: string }>;
    expect(trades.map((t) => t.order_id)).toEqual(expect.arrayContaining([buy, sell]));
    expect(((await kite.getOrders()) as Order[]).map((o) => o.order_id)).toEqual(
      expect.arrayContaining([buy, sell]),
    );
    const all = (await kite.getMargins()) as { equity: { net: number } };
    expect(all.equity.net).toBeCloseTo(before.net + 930, 2);
  });

  it('blocks margin for an open buy order and releases it on cancel', async () => {
    const before = ((await kite.getMargins('equity')) as { net: number }).net;
    const id = await place({ price: 50, quantity: 130 });
    expect(((await kite.getMargins('equity')) as { net: number }).net).toBeCloseTo(
      before - 50 * 130,
      2,
    );
    await kite.cancelOrder('regular', id);
    expect(((await kite.getMargins('equity')) as { net: number }).net).toBeCloseTo(before, 2);
  });
});

describe('partial fills', () => {
  it('fills the configured share in whole lots, then the remainder on a later tick', async () => {
    const partial = await startTestExchange({ partialFillRatio: 0.5 });
    try {
      const row = await atmOption(partial.kite);
      await partial.control.pinPrice(Number(row.instrument_token), 100);
      const { order_id: id } = await partial.kite.placeOrder('regular', {
        ...(params({ tradingsymbol: row.tradingsymbol, quantity: 65 * 3 }) as object),
      } as never);
      const history = async () => (await partial.kite.getOrderHistory(id)) as Order[];
      const final = await waitFor(history, (h) => h[h.length - 1].status === 'COMPLETE');
      expect(final.find((o) => o.status === 'OPEN' && o.filled_quantity === 65)).toMatchObject({
        pending_quantity: 130,
      });
      const trades = (await partial.kite.getOrderTrades(id)) as Array<{ quantity: number }>;
      expect(trades.map((t) => t.quantity)).toEqual([65, 130]);
    } finally {
      await partial.ex.close();
    }
  });
});
