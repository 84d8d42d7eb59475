import { NetPositions } from '../../src/adapters/kite/net-positions';
import { OrderBook } from '../../src/adapters/kite/order-book';
import { createTicker, type RenewableTicker } from '../../src/adapters/kite/ticker';
import { atmOption, type Row } from '../exchange/helpers';
import { eventually } from '../harness/eventually';
import { CREDS, startAdapterEnv } from './helpers';

let env: Awaited<ReturnType<typeof startAdapterEnv>>;
let ticker: RenewableTicker;
let orders: OrderBook;
let net: NetPositions;
let row: Row;

/** A market order straight at the exchange: another app on the same account, untagged. */
const trade = async (side: 'BUY' | 'SELL', quantity: number) => {
  const { order_id } = await env.kite.placeOrder('regular', {
    exchange: 'NFO',
    tradingsymbol: row.tradingsymbol,
    transaction_type: side,
    quantity,
    product: 'MIS',
    order_type: 'MARKET',
    market_protection: -1,
  } as never);
  return order_id as string;
};

/** The view's net and where it came from. */
const netOf = async (positions: NetPositions, product: string) => {
  const view = await positions.viewOf(row.tradingsymbol, product);
  if (!view) throw new Error('the book kept filling through every read');
  return { net: view.net, from: view.from };
};

const positionsSay = async () =>
  (await env.broker.getPositions())
    .filter((p) => p.tradingsymbol === row.tradingsymbol && p.product === 'MIS')
    .reduce((s, p) => s + p.quantity, 0);

/** Until the mirror has heard of the fill: the stream, not a poll, must bring it. */
const mirrored = async (orderId: string) => {
  const order = await eventually(
    async () => orders.get(orderId),
    (o) => o?.status === 'COMPLETE',
  );
  if (order?.status !== 'COMPLETE') throw new Error(`the stream never brought ${orderId}'s fill`);
};

beforeAll(async () => {
  env = await startAdapterEnv();
  row = await atmOption(env.kite);
  ticker = createTicker({ url: env.ex.tickerUrl, ...CREDS });
  orders = new OrderBook(env.broker, ticker);
  net = new NetPositions(env.broker, orders);
  await eventually(
    async () => ticker.connected,
    (c) => c,
  );
});
afterAll(async () => {
  ticker.close();
  await env.ex.close();
});

describe("the broker's net long without a positions read", () => {
  it('reads the positions until an armed exit has its offset, then answers from memory', async () => {
    const lot = Number(row.lot_size);
    await mirrored(await trade('BUY', 3 * lot));
    expect(await netOf(net, 'MIS')).toEqual({ net: 3 * lot, from: 'broker' });
    const disarm = net.arm(row.tradingsymbol, 'MIS');
    try {
      await eventually(
        () => netOf(net, 'MIS'),
        (n) => n.from === 'mirror',
      );
      expect(await netOf(net, 'MIS')).toEqual({ net: 3 * lot, from: 'mirror' });

      // Closed elsewhere: the mirror hears it on the stream and says so without asking.
      await mirrored(await trade('SELL', 2 * lot));
      const reads = net.stats.broker;
      expect(await netOf(net, 'MIS')).toEqual({ net: lot, from: 'mirror' });
      expect(net.stats.broker).toBe(reads);
      expect(await positionsSay()).toBe(lot);
      // Nothing of it is ours: what strangers bought less what they sold.
      expect((await net.viewOf(row.tradingsymbol, 'MIS'))!.fills).toEqual({
        owners: new Map(),
        strangers: lot,
      });
      // A contract the positions never showed has no offset: only the broker can say.
      expect(await netOf(net, 'NRML')).toEqual({ net: 0, from: 'broker' });
    } finally {
      disarm();
    }
  });

  it('asks the broker again after the stream dropped, when an update may have been missed', async () => {
    const lot = Number(row.lot_size);
    const before = (await netOf(net, 'MIS')).net;
    await env.control.injectFaults({ muteOrderUpdates: true });
    const reconnected = new Promise<void>((resolve) => ticker.on('connect', resolve));
    await env.control.dropTickerConnections();
    await reconnected;
    await trade('SELL', lot);
    await eventually(
      async () => positionsSay(),
      (n) => n === before - lot,
    );
    // The mirror never heard of that sell; a memory answer would oversell by a lot.
    expect(await netOf(net, 'MIS')).toEqual({
      net: before - lot,
      from: 'broker',
    });
    await env.control.clearFaults();
    await orders.prepare();
    expect(await netOf(net, 'MIS')).toEqual({
      net: before - lot,
      from: 'mirror',
    });
  });

  it('catches an update lost with the stream still up, while an exit is armed', async () => {
    const lot = Number(row.lot_size);
    const checked = new NetPositions(env.broker, orders, { verifyIntervalMs: 100 });
    const disarm = checked.arm(row.tradingsymbol, 'MIS');
    try {
      await mirrored(await trade('BUY', 2 * lot));
      const held = await positionsSay();
      await eventually(
        () => netOf(checked, 'MIS'),
        (n) => n.from === 'mirror' && n.net === held,
      );
      await env.control.injectFaults({ muteOrderUpdates: true });
      await trade('SELL', lot);
      // An exit round asks the broker for the net, so the lost update cannot mislead it.
      expect((await checked.viewOf(row.tradingsymbol, 'MIS', { netFromBroker: true }))!.net).toBe(
        held - lot,
      );
      // Within a few checks the mirror, now a lot ahead, is distrusted and rebuilt from REST.
      await eventually(
        async () => checked.stats.distrusted,
        (d) => d > 0,
      );
      expect((await netOf(checked, 'MIS')).net).toBe(held - lot);
    } finally {
      disarm();
      await env.control.clearFaults();
    }
  });
});
