import fs from 'node:fs';
import path from 'node:path';
import { atmOption, startTestExchange, tempDir, waitFor } from './helpers';

type Order = { order_id: string; status: string; tag: string | null; average_price: number };

describe('restart durability', () => {
  it('keeps orders, histories, trades and positions across a restart and keeps matching', async () => {
    const dataDir = tempDir();
    // No market ticks: pins drop with a restart, and the market's own price must not fill the
    // resting order before the test has looked at the book.
    const still = { dataDir, tickIntervalMs: 60_000 };
    const first = await startTestExchange(still);
    const row = await atmOption(first.kite);
    const token = Number(row.instrument_token);
    const base = {
      exchange: 'NFO',
      tradingsymbol: row.tradingsymbol,
      quantity: 65,
      product: 'NRML',
    };
    await first.control.pinPrice(token, 100);
    const filled = (
      await first.kite.placeOrder('regular', {
        ...base,
        transaction_type: 'BUY',
        order_type: 'MARKET',
        market_protection: -1,
        tag: 'entry',
      } as never)
    ).order_id;
    const resting = (
      await first.kite.placeOrder('regular', {
        ...base,
        transaction_type: 'SELL',
        order_type: 'LIMIT',
        price: 120,
        tag: 'target',
      } as never)
    ).order_id;
    const before = {
      orders: await first.kite.getOrders(),
      history: await first.kite.getOrderHistory(filled),
      trades: await first.kite.getTrades(),
      positions: (
        (await first.kite.getPositions()) as { net: Array<{ quantity: number; buy_price: number }> }
      ).net,
    };
    await first.ex.close();
    // A crash mid-append leaves a torn line; the journal must shrug it off.
    fs.appendFileSync(path.join(dataDir, 'journal.jsonl'), '{"k":"order","ord');

    const second = await startTestExchange(still);
    try {
      expect(await second.kite.getOrders()).toEqual(before.orders);
      expect(await second.kite.getOrderHistory(filled)).toEqual(before.history);
      expect(await second.kite.getTrades()).toEqual(before.trades);
      const net = (
        (await second.kite.getPositions()) as {
          net: Array<{ quantity: number; buy_price: number }>;
        }
      ).net;
      expect(net.map((p) => [p.quantity, p.buy_price])).toEqual(
        before.positions.map((p) => [p.quantity, p.buy_price]),
      );
      // The resting order still works after the restart.
      await second.control.pinPrice(token, 120);
      const last = async () =>
        ((await second.kite.getOrderHistory(resting)) as Order[]).pop() as Order;
      expect(await waitFor(last, (o) => o.status === 'COMPLETE')).toMatchObject({
        average_price: 120,
      });
      // New order ids continue after the journal's, never reusing one.
      const next = (
        await second.kite.placeOrder('regular', {
          ...base,
          transaction_type: 'BUY',
          order_type: 'LIMIT',
          price: 1,
        } as never)
      ).order_id;
      expect(Number(next)).toBeGreaterThan(Number(resting));
    } finally {
      await second.ex.close();
    }
  });
});

describe('journal commits', () => {
  it('persists each order command in one fsync, and announces it and answers only once that has finished', async () => {
    const dataDir = tempDir();
    const journalFile = path.join(dataDir, 'journal.jsonl');
    const { ex, kite, control } = await startTestExchange({ dataDir, tickIntervalMs: 60_000 });
    try {
      const row = await atmOption(kite);
      await control.pinPrice(Number(row.instrument_token), 100);
      const realFsync = fs.fsync;
      let fsyncsDone = 0;
      const fsyncs = jest.spyOn(fs, 'fsync').mockImplementation(((
        fd: number,
        done: (err: NodeJS.ErrnoException | null) => void,
      ) =>
        realFsync(fd, (err) => {
          fsyncsDone += 1;
          done(err);
        })) as typeof fs.fsync);
      const announced: { status: string; afterFsync: boolean; inJournal: boolean }[] = [];
      ex.events.on('order', (o) => {
        const inJournal = fs
          .readFileSync(journalFile, 'utf8')
          .trim()
          .split('\n')
          .some((line) => {
            const e = JSON.parse(line) as { k: string; order?: Order };
            return (
              e.k === 'order' && e.order?.order_id === o.order_id && e.order.status === o.status
            );
          });
        announced.push({ status: o.status, afterFsync: fsyncsDone > 0, inJournal });
      });
      const { order_id } = await kite.placeOrder('regular', {
        exchange: 'NFO',
        tradingsymbol: row.tradingsymbol,
        quantity: 65,
        product: 'NRML',
        transaction_type: 'BUY',
        order_type: 'MARKET',
        market_protection: -1,
      } as never);
      const answeredAfter = fsyncsDone;
      const fsyncsForOrder = fsyncs.mock.calls.length;
      fsyncs.mockRestore();
      expect(announced).toEqual(
        ['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'OPEN PENDING', 'OPEN', 'COMPLETE'].map(
          (status) => ({ status, afterFsync: true, inJournal: true }),
        ),
      );
      expect(fsyncsForOrder).toBe(1);
      expect(answeredAfter).toBe(1);
      const trades = fs
        .readFileSync(journalFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { k: string; trade?: { order_id: string } })
        .filter((e) => e.k === 'trade' && e.trade?.order_id === order_id);
      expect(trades).toHaveLength(1);
    } finally {
      await ex.close();
    }
  });
});
