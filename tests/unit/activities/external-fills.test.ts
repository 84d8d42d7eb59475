import { externalFills } from '../../../src/activities/positions';
import type { BrokerTrade } from '../../../src/adapters/kite/types';

const trade = (over: Partial<BrokerTrade>): BrokerTrade => ({
  tradeId: 't',
  orderId: 'o',
  tradingsymbol: 'NIFTY26D0826500CE',
  exchange: 'NFO',
  product: 'MIS',
  transactionType: 'SELL',
  quantity: 65,
  averagePrice: 120,
  filledAt: 2_000_000,
  ...over,
});
const input = {
  tradingsymbol: 'NIFTY26D0826500CE',
  product: 'MIS',
  quantity: 130,
  since: 1_000_000,
};

describe('externalFills: the broker trades that closed a position elsewhere', () => {
  it('takes the newest foreign sells first and prices the rest at the last price', () => {
    const trades = [
      trade({ orderId: 'manual-1', averagePrice: 110, filledAt: 1_500_000 }),
      trade({ orderId: 'ours', averagePrice: 999 }),
      trade({ orderId: 'buy', transactionType: 'BUY' }),
      trade({ orderId: 'other-contract', tradingsymbol: 'X' }),
      trade({ orderId: 'before-entry', filledAt: 10 }),
    ];
    const tags = new Map<string, string | null>([
      ['manual-1', null],
      ['ours', '3um4ymal6t76nX000002'],
      ['before-entry', null],
    ]);
    expect(externalFills(trades, tags, { ...input, quantity: 130 }, 105)).toEqual([
      expect.objectContaining({
        orderId: 'manual-1',
        quantity: 65,
        averagePrice: 110,
        external: { priced: 'trades' },
      }),
      expect.objectContaining({
        orderId: 'external',
        quantity: 65,
        averagePrice: 105,
        external: { priced: 'ltp' },
      }),
    ]);
  });

  it('counts a sale stamped in the entry second, since Kite stamps fills to the second', () => {
    const fills = externalFills(
      [trade({ filledAt: input.since - 400 })],
      new Map(),
      { ...input, quantity: 65 },
      1,
    );
    expect(fills).toEqual([
      expect.objectContaining({ orderId: 'o', external: { priced: 'trades' } }),
    ]);
  });
});
