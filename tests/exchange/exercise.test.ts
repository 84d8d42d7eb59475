import fs from 'node:fs';
import { fromKiteTime } from '../../src/adapters/kite/kite-time';
import { istEpoch } from '../../src/domain/calendar';
import { startExchange } from '../../src/exchange';
import { EXPIRY_TAG } from '../../src/exchange/matching/settlement';
import { baseOptions, kiteFor, startTestExchange, type Row } from './helpers';

/**
 * Index options are cash settled at expiry: at 15:30 IST on the expiry day
 * an in-the-money long is exercised at its intrinsic value against the
 * index's close and an out-of-the-money one expires worthless, so the
 * position goes flat with its P&L. The exchange clock is pinned on either
 * side of the close of a NIFTY weekly expiry (Tuesday 2026-12-08).
 */

const EXPIRY = '2026-12-08';
const expiryOf = (r: Row) => new Date(r.expiry).toISOString().slice(0, 10);

interface Order {
  order_id: string;
  status: string;
  tag: string | null;
  tradingsymbol: string;
  transaction_type: string;
  quantity: number;
  average_price: number;
  status_message: string | null;
}
interface Trade {
  order_id: string;
  fill_timestamp: Date | string;
}
interface Position {
  tradingsymbol: string;
  quantity: number;
  pnl: number;
  sell_quantity: number;
  sell_price: number;
}

async function setUp() {
  let clock = istEpoch(EXPIRY, '15:00');
  const options = baseOptions({ now: () => clock, tickIntervalMs: 60_000 });
  const env = await startTestExchange(options);
  const rows = (await env.kite.getInstruments('NFO')) as unknown as Row[];
  const nifty = rows.filter((r) => r.name === 'NIFTY');
  const strikes = [...new Set(nifty.map((r) => Number(r.strike)))].sort((a, b) => a - b);
  const atm = strikes[Math.floor(strikes.length / 2)];
  const pick = (expiry: string, type: string, strike: number) =>
    nifty.find(
      (r) => expiryOf(r) === expiry && r.instrument_type === type && Number(r.strike) === strike,
    )!;
  // The index closes 123.45 above the middle strike: the CE below it is in the money, the PE out.
  const close = atm + 123.45;
  const legs = {
    itmCall: { row: pick(EXPIRY, 'CE', atm), price: 150 },
    otmPut: { row: pick(EXPIRY, 'PE', atm), price: 40 },
    nextWeek: { row: pick('2026-12-15', 'CE', atm), price: 300 },
  };
  const buy = async (row: Row, price: number, quantity = 65) => {
    await env.control.pinPrice(Number(row.instrument_token), price);
    return env.kite.placeOrder('regular', {
      exchange: 'NFO',
      tradingsymbol: row.tradingsymbol,
      transaction_type: 'BUY',
      quantity,
      product: 'NRML',
      order_type: 'LIMIT',
      price,
    } as never);
  };
  for (const leg of Object.values(legs)) await buy(leg.row, leg.price);
  const resting = await env.kite.placeOrder('regular', {
    exchange: 'NFO',
    tradingsymbol: legs.itmCall.row.tradingsymbol,
    transaction_type: 'SELL',
    quantity: 65,
    product: 'NRML',
    order_type: 'LIMIT',
    price: 5000,
  } as never);
  await env.control.setSpot('NIFTY', close);
  return {
    ...env,
    options,
    legs,
    close,
    atm,
    resting: resting.order_id,
    setClock: (at: number) => (clock = at),
  };
}

const orders = async (kite: ReturnType<typeof kiteFor>) =>
  (await kite.getOrders()) as unknown as Order[];
const net = async (kite: ReturnType<typeof kiteFor>) =>
  ((await kite.getPositions()) as unknown as { net: Position[] }).net;

describe('exercise at expiry', () => {
  it('holds every position open until the close of the expiry day', async () => {
    const env = await setUp();
    try {
      env.setClock(istEpoch(EXPIRY, '15:29') + 59_999);
      expect((await orders(env.kite)).filter((o) => o.tag === EXPIRY_TAG)).toEqual([]);
      expect((await net(env.kite)).map((p) => p.quantity)).toEqual([65, 65, 65]);
      const resting = (await orders(env.kite)).find((o) => o.order_id === env.resting);
      expect(resting?.status).toBe('OPEN');
    } finally {
      await env.ex.close();
    }
  });

  it('settles the expiring contracts at 15:30: in the money at intrinsic value, out of it at zero', async () => {
    const env = await setUp();
    try {
      env.setClock(istEpoch(EXPIRY, '15:30'));
      const settled = (await orders(env.kite)).filter((o) => o.tag === EXPIRY_TAG);
      const { itmCall, otmPut, nextWeek } = env.legs;
      expect(settled).toEqual([
        expect.objectContaining({
          tradingsymbol: itmCall.row.tradingsymbol,
          status: 'COMPLETE',
          transaction_type: 'SELL',
          quantity: 65,
          average_price: 123.45,
          status_message: `Exercised at expiry: NIFTY 50 closed at ${env.close.toFixed(2)}, intrinsic value 123.45.`,
        }),
        expect.objectContaining({
          tradingsymbol: otmPut.row.tradingsymbol,
          status: 'COMPLETE',
          transaction_type: 'SELL',
          quantity: 65,
          average_price: 0,
          status_message: `Expired out of the money: NIFTY 50 closed at ${env.close.toFixed(2)}.`,
        }),
      ]);
      // Dated the expiry day's close, whenever the exchange got round to it.
      const trades = (await env.kite.getTrades()) as unknown as Trade[];
      for (const o of settled) {
        const fills = trades.filter((t) => t.order_id === o.order_id);
        expect(fills.map((t) => fromKiteTime(t.fill_timestamp))).toEqual([
          istEpoch(EXPIRY, '15:30'),
        ]);
      }
      const bySymbol = new Map((await net(env.kite)).map((p) => [p.tradingsymbol, p]));
      expect(bySymbol.get(itmCall.row.tradingsymbol)).toMatchObject({
        quantity: 0,
        pnl: Math.round((123.45 - 150) * 65 * 100) / 100,
      });
      expect(bySymbol.get(otmPut.row.tradingsymbol)).toMatchObject({ quantity: 0, pnl: -40 * 65 });
      expect(bySymbol.get(nextWeek.row.tradingsymbol)).toMatchObject({ quantity: 65 });
      const resting = (await orders(env.kite)).find((o) => o.order_id === env.resting);
      expect(resting).toMatchObject({
        status: 'CANCELLED',
        status_message: 'The contract has expired.',
      });
    } finally {
      await env.ex.close();
    }
  });

  it("settles the next week's contract at its own close after this week's", async () => {
    const env = await setUp();
    try {
      env.setClock(istEpoch(EXPIRY, '15:30'));
      expect((await orders(env.kite)).filter((o) => o.tag === EXPIRY_TAG)).toHaveLength(2);
      const { nextWeek } = env.legs;
      env.setClock(istEpoch('2026-12-15', '15:29') + 59_999);
      expect(
        (await net(env.kite)).find((p) => p.tradingsymbol === nextWeek.row.tradingsymbol),
      ).toMatchObject({ quantity: 65 });
      env.setClock(istEpoch('2026-12-15', '15:30'));
      const settled = (await orders(env.kite)).filter((o) => o.tag === EXPIRY_TAG);
      expect(settled.map((o) => o.tradingsymbol)).toEqual([
        env.legs.itmCall.row.tradingsymbol,
        env.legs.otmPut.row.tradingsymbol,
        nextWeek.row.tradingsymbol,
      ]);
      expect(
        (await net(env.kite)).find((p) => p.tradingsymbol === nextWeek.row.tradingsymbol),
      ).toMatchObject({ quantity: 0 });
    } finally {
      await env.ex.close();
    }
  });

  it('charges the exercise STT and the exercise brokerage in the contract note', async () => {
    const env = await setUp();
    try {
      env.setClock(istEpoch(EXPIRY, '15:30'));
      const [itm, otm] = (await orders(env.kite)).filter((o) => o.tag === EXPIRY_TAG);
      const noteOf = (o: Order) => ({
        order_id: o.order_id,
        exchange: 'NFO' as const,
        tradingsymbol: o.tradingsymbol,
        transaction_type: 'SELL' as const,
        variety: 'regular' as const,
        product: 'NRML' as const,
        order_type: 'MARKET' as const,
        quantity: o.quantity,
        average_price: o.average_price,
      });
      const [note] = await env.kite.getvirtualContractNote([noteOf(itm)]);
      // Intrinsic 123.45 x 65 = 8,024.25 at 0.15% (exercise, from 2026-04-01) = 12.036375 -> 12.04;
      // ₹20 for one freeze-sized order and 18% GST on it; no premium, so no turnover charges.
      expect(note.charges).toEqual({
        transaction_tax: 12.04,
        transaction_tax_type: 'stt',
        exchange_turnover_charge: 0,
        sebi_turnover_charge: 0,
        brokerage: 20,
        stamp_duty: 0,
        gst: { igst: 3.6, cgst: 0, sgst: 0, total: 3.6 },
        total: 35.64,
      });
      // Kite takes non-zero prices only: an option that expired worthless has nothing to charge.
      await expect(env.kite.getvirtualContractNote([noteOf(otm)])).rejects.toMatchObject({
        error_type: 'InputException',
        message: expect.stringContaining('`[0].average_price`'),
      });
    } finally {
      await env.ex.close();
    }
  });

  it('settles a position held while the exchange was down over the close, once', async () => {
    const env = await setUp();
    await env.ex.close();
    const nextMorning = { ...env.options, now: () => istEpoch('2026-12-09', '09:20') };
    const settledAfter = async () => {
      const ex = await startExchange(nextMorning);
      try {
        const kite = kiteFor(ex.restUrl);
        return {
          settled: (await orders(kite)).filter((o) => o.tag === EXPIRY_TAG),
          positions: (await net(kite)).map((p) => [p.tradingsymbol, p.quantity]),
        };
      } finally {
        await ex.close();
      }
    };
    try {
      // Yesterday's contracts are off today's dump; the exchange still knows them from its journal
      // and settles them against the last index print it recorded before the close.
      const first = await settledAfter();
      expect(first.settled.map((o) => [o.tradingsymbol, o.average_price])).toEqual([
        [env.legs.itmCall.row.tradingsymbol, 123.45],
        [env.legs.otmPut.row.tradingsymbol, 0],
      ]);
      expect(first.positions).toEqual([
        [env.legs.itmCall.row.tradingsymbol, 0],
        [env.legs.otmPut.row.tradingsymbol, 0],
        [env.legs.nextWeek.row.tradingsymbol, 65],
      ]);
      expect(await settledAfter()).toEqual(first);
    } finally {
      fs.rmSync(env.options.dataDir, { recursive: true, force: true });
    }
  });
});
