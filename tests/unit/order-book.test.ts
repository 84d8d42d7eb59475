import { EventEmitter } from 'node:events';
import { contractKey, OrderBook } from '../../src/adapters/kite/order-book';
import type { TickSource } from '../../src/adapters/kite/tick-hub';
import type { BrokerOrder } from '../../src/adapters/kite/types';
import { orderTag, tagOwner } from '../../src/domain/order-tag';

const order = (o: Partial<BrokerOrder> & Pick<BrokerOrder, 'orderId'>): BrokerOrder => ({
  tag: null,
  status: 'COMPLETE',
  statusMessage: null,
  tradingsymbol: 'NIFTY26D0826000CE',
  exchange: 'NFO',
  instrumentToken: 1,
  transactionType: 'BUY',
  orderType: 'MARKET',
  product: 'NRML',
  quantity: 65,
  filledQuantity: 65,
  pendingQuantity: 0,
  cancelledQuantity: 0,
  price: 0,
  triggerPrice: 0,
  averagePrice: 100,
  ...o,
});

const CE = contractKey('NIFTY26D0826000CE', 'NRML');
const PE = contractKey('NIFTY26D0826000PE', 'NRML');

/**
 * A crossing's exits read one contract's net and fills from the mirror, kept
 * per contract as updates land (not summed over the day's orders per read):
 * the sums must follow partial fills, ignore a stale update, and go quiet
 * when the mirror may have missed something.
 */
describe("the order mirror's per-contract fills", () => {
  const entryTag = orderTag('pos-a', 'ENTRY', 0, 0);
  const owner = tagOwner(entryTag)!;
  let stream: EventEmitter;
  let book: OrderBook;

  beforeEach(async () => {
    stream = new EventEmitter();
    const snapshot = [
      order({ orderId: '1', tag: entryTag, quantity: 130, filledQuantity: 65, status: 'OPEN' }),
      order({ orderId: '2', transactionType: 'SELL', filledQuantity: 65 }),
      order({ orderId: '3', tradingsymbol: 'NIFTY26D0826000PE', filledQuantity: 50 }),
    ];
    // The mirror listens for 'order' and 'disconnect' only.
    book = new OrderBook(
      { getOrders: async () => snapshot },
      stream as unknown as Pick<TickSource, 'on'>,
    );
    await book.prepare();
  });

  it('sums what each contract bought less what it sold, by our owners and strangers', () => {
    expect(book.netFilled(CE)).toBe(0);
    expect(book.netFilled(PE)).toBe(50);
    expect(book.netFilled(contractKey('NIFTY26D0826000CE', 'MIS'))).toBe(0);
    expect(book.fillsOf('NIFTY26D0826000CE', 'NRML')).toEqual({
      owners: new Map([[owner, 65]]),
      strangers: -65,
    });
  });

  it('follows a fill as it grows and ignores an update older than what it holds', () => {
    book.apply(order({ orderId: '1', tag: entryTag, quantity: 130, filledQuantity: 130 }));
    expect(book.netFilled(CE)).toBe(65);
    book.apply(
      order({ orderId: '1', tag: entryTag, quantity: 130, filledQuantity: 65, status: 'OPEN' }),
    );
    expect(book.netFilled(CE)).toBe(65);
    expect(book.fillsOf('NIFTY26D0826000CE', 'NRML')!.owners.get(owner)).toBe(130);
    book.apply(
      order({
        orderId: '4',
        transactionType: 'SELL',
        tag: entryTag,
        filledQuantity: 130,
        quantity: 130,
      }),
    );
    expect(book.netFilled(CE)).toBe(-65);
    expect(book.fillsOf('NIFTY26D0826000CE', 'NRML')!.owners.get(owner)).toBe(0);
  });

  it('answers nothing once it may have missed an update', () => {
    stream.emit('disconnect');
    expect(book.netFilled(PE)).toBeUndefined();
    expect(book.fillsOf('NIFTY26D0826000PE', 'NRML')).toBeUndefined();
  });
});
