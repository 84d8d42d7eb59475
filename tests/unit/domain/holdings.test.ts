import {
  compareHoldings,
  fillsByOwner,
  heldAhead,
  heldAtBroker,
  ownFillsCover,
  sizeExit,
  unsupervisedLong,
} from '../../../src/domain/holdings';

describe('sizeExit: an exit never sells more than the broker shows long for the position', () => {
  it.each([
    // held, broker net, others held, lot -> sell, closed elsewhere, excess
    ['all there', 130, 130, 0, 65, 130, 0, 0],
    ['closed elsewhere', 130, 0, 0, 65, 0, 130, 0],
    ['partly closed elsewhere', 130, 65, 0, 65, 65, 65, 0],
    ['broker short: never sell into it', 65, -65, 0, 65, 0, 65, 0],
    ['a sibling on the contract keeps its units', 65, 65, 65, 65, 0, 65, 0],
    ['both there with a sibling', 65, 130, 65, 65, 65, 0, 0],
    ['the broker holds more than everyone', 65, 195, 65, 65, 65, 0, 65],
    ['an odd remainder sells whole lots only', 130, 100, 0, 65, 65, 65, 0],
  ])('%s', (_, held, brokerNet, othersHeld, lotSize, sell, closedElsewhere, excess) => {
    expect(sizeExit({ held, brokerNet, othersHeld, lotSize })).toEqual({
      sell,
      closedElsewhere,
      excess,
    });
  });
});

describe("sizeExit in line: the broker's units go to the positions in a fixed order", () => {
  it.each([
    // held, broker net, others held, ahead held -> sell, closed elsewhere, excess
    ['first in line takes its units from a short book', 65, 65, 65, 0, 65, 0, 0],
    ['last in line takes the shortfall', 65, 65, 65, 65, 0, 65, 0],
    ['nobody short: everyone sells what they hold', 65, 130, 65, 0, 65, 0, 0],
    ['excess still counts every sibling, not only those ahead', 65, 195, 65, 0, 65, 0, 65],
  ])('%s', (_, held, brokerNet, othersHeld, aheadHeld, sell, closedElsewhere, excess) => {
    expect(sizeExit({ held, brokerNet, othersHeld, aheadHeld, lotSize: 65 })).toEqual({
      sell,
      closedElsewhere,
      excess,
    });
  });

  it('two exits sized from one reading never sell more than the broker holds, whatever it shows', () => {
    for (let net = -130; net <= 260; net += 65) {
      const a = sizeExit({ held: 130, brokerNet: net, othersHeld: 65, aheadHeld: 0, lotSize: 65 });
      const b = sizeExit({
        held: 65,
        brokerNet: net,
        othersHeld: 130,
        aheadHeld: 130,
        lotSize: 65,
      });
      expect(a.sell + b.sell).toBeLessThanOrEqual(Math.max(0, net));
      // Nothing is given up while the broker still holds it for one of them.
      expect(a.sell + b.sell).toBe(Math.min(195, Math.max(0, net)));
    }
  });
});

const broker = (tradingsymbol: string, quantity: number) => ({
  tradingsymbol,
  exchange: 'NFO',
  product: 'MIS',
  quantity,
  averagePrice: 100,
});
const workflow = (workflowId: string, tradingsymbol: string, held: number, inFlux = false) => ({
  workflowId,
  tradingsymbol,
  product: 'MIS',
  held,
  inFlux,
});

describe('compareHoldings', () => {
  it('classifies each contract, worst first, and skips what nobody holds', () => {
    const rows = compareHoldings(
      [broker('A', 65), broker('B', 130), broker('D', 65), broker('E', 65), broker('F', 0)],
      [
        workflow('pos-b', 'B', 65),
        workflow('pos-c', 'C', 65),
        workflow('pos-d', 'D', 65),
        workflow('pos-e', 'E', 0, true),
      ],
    );
    expect(rows.map((r) => [r.tradingsymbol, r.verdict, r.difference])).toEqual([
      ['A', 'ORPHAN', 65],
      ['B', 'MISMATCH', 65],
      ['C', 'PHANTOM', -65],
      ['E', 'IN_FLUX', 65],
      ['D', 'OK', 0],
    ]);
    expect(rows.find((r) => r.tradingsymbol === 'B')!.workflows).toEqual(['pos-b']);
  });

  it('only long quantity nobody owns is for a policy to act on', () => {
    const [orphan, short] = compareHoldings([broker('A', 65), broker('S', -65)], []);
    expect(unsupervisedLong(orphan)).toBe(65);
    expect(short.verdict).toBe('ORPHAN');
    expect(unsupervisedLong(short)).toBe(0);
  });
});

describe('heldAtBroker: a sibling counts the fills of its own tags it has not recorded yet', () => {
  const PREFIX = '0123456789abc';
  const order = (
    orderId: string,
    transactionType: 'BUY' | 'SELL',
    filledQuantity: number,
    tag: string | null = `${PREFIX}X000001`,
    tradingsymbol = 'NIFTY26D0824000CE',
  ) => ({ orderId, tag, tradingsymbol, product: 'MIS', transactionType, filledQuantity });
  const sibling = (
    entryFills: { orderId: string; quantity: number }[],
    exitFills: { orderId: string; quantity: number }[] = [],
  ) => ({
    tagPrefix: PREFIX,
    tradingsymbol: 'NIFTY26D0824000CE',
    product: 'MIS',
    entryFills,
    exitFills,
  });
  const entered = sibling([{ orderId: 'e1', quantity: 130 }]);

  it('what it recorded, when the book has nothing new', () => {
    expect(heldAtBroker(entered, [order('e1', 'BUY', 130, `${PREFIX}E000001`)])).toBe(130);
  });

  it('a sale filled at the broker that its workflow has not heard of', () => {
    expect(heldAtBroker(entered, [order('e1', 'BUY', 130), order('x1', 'SELL', 130)])).toBe(0);
  });

  it('a sale it has recorded is not taken off twice', () => {
    const sold = sibling([{ orderId: 'e1', quantity: 130 }], [{ orderId: 'x1', quantity: 65 }]);
    expect(heldAtBroker(sold, [order('e1', 'BUY', 130), order('x1', 'SELL', 65)])).toBe(65);
  });

  it('the part of an order filled since it was recorded', () => {
    const partly = sibling([{ orderId: 'e1', quantity: 130 }], [{ orderId: 'x1', quantity: 65 }]);
    expect(heldAtBroker(partly, [order('x1', 'SELL', 130)])).toBe(0);
  });

  it('an entry filled before the position knows it, and nothing for one still unfilled', () => {
    expect(heldAtBroker(sibling([]), [order('e1', 'BUY', 130, `${PREFIX}E000001`)])).toBe(130);
    expect(heldAtBroker(sibling([]), [order('e1', 'BUY', 0, `${PREFIX}E000001`)])).toBe(0);
  });

  it("others' tags, untagged orders and other contracts are not its", () => {
    const book = [
      order('s1', 'SELL', 130, 'zzzzzzzzzzzzzX000001'),
      order('s2', 'SELL', 130, null),
      order('s3', 'SELL', 130, `${PREFIX}X000002`, 'NIFTY26D0824000PE'),
    ];
    expect(heldAtBroker(entered, book)).toBe(130);
  });

  it('never below nothing', () => {
    expect(heldAtBroker(sibling([]), [order('x1', 'SELL', 65)])).toBe(0);
  });
});

describe('ownFillsCover: a trigger sells alone only what the book shows as its own', () => {
  const SYMBOL = 'NIFTY26D0824000CE';
  const A = 'aaaaaaaaaaaaa';
  const B = 'bbbbbbbbbbbbb';
  const order = (tag: string | null, transactionType: 'BUY' | 'SELL', filledQuantity: number) => ({
    orderId: `${tag}-${transactionType}-${filledQuantity}`,
    tag,
    tradingsymbol: SYMBOL,
    product: 'MIS',
    transactionType,
    filledQuantity,
  });
  const fills = (...orders: ReturnType<typeof order>[]) => fillsByOwner(orders, SYMBOL, 'MIS');

  it("counts units per owner of our tags and any stranger's, on this contract only", () => {
    const book = [
      order(`${A}E000000`, 'BUY', 130),
      order(`${A}X000000`, 'SELL', 65),
      order(`${B}E000000`, 'BUY', 65),
      order('manual', 'SELL', 65),
      { ...order(`${B}E000001`, 'BUY', 65), tradingsymbol: 'NIFTY26D0824000PE' },
    ];
    expect(fillsByOwner(book, SYMBOL, 'MIS')).toEqual({
      owners: new Map([
        [A, 65],
        [B, 65],
      ]),
      strangers: -65,
    });
  });

  it('every unit ours and its own fills cover the quantity: it sells', () => {
    const book = fills(order(`${A}E000000`, 'BUY', 130), order(`${B}E000000`, 'BUY', 65));
    expect(ownFillsCover({ quantity: 130, owner: A, net: 195, fills: book })).toBe(true);
    expect(ownFillsCover({ quantity: 65, owner: B, net: 195, fills: book })).toBe(true);
  });

  it("a stranger's round trip (bought, then sold as much) takes nobody's units", () => {
    const book = fills(order(`${A}E000000`, 'BUY', 65), order('manual', 'BUY', 65), {
      ...order('manual', 'SELL', 65),
      orderId: 'm2',
    });
    expect(ownFillsCover({ quantity: 65, owner: A, net: 65, fills: book })).toBe(true);
  });

  it("a stranger's sale on the contract (a close in the Kite app): left to the workflow", () => {
    const book = fills(
      order(`${A}E000000`, 'BUY', 65),
      order(`${B}E000000`, 'BUY', 65),
      order(null, 'SELL', 65),
    );
    expect(ownFillsCover({ quantity: 65, owner: A, net: 65, fills: book })).toBe(false);
    expect(ownFillsCover({ quantity: 65, owner: B, net: 65, fills: book })).toBe(false);
  });

  it('units beyond our fills (carried from an earlier day) leave its own to it', () => {
    const book = fills(order(`${A}E000000`, 'BUY', 65));
    expect(ownFillsCover({ quantity: 65, owner: A, net: 130, fills: book })).toBe(true);
  });

  it("the broker short of our fills (sold behind the book's back): left to the workflow", () => {
    const book = fills(order(`${A}E000000`, 'BUY', 65), order(`${B}E000000`, 'BUY', 65));
    expect(ownFillsCover({ quantity: 65, owner: A, net: 65, fills: book })).toBe(false);
    expect(ownFillsCover({ quantity: 65, owner: B, net: 0, fills: book })).toBe(false);
  });

  it('more than its own fills bought: left to the workflow', () => {
    const book = fills(order(`${A}E000000`, 'BUY', 65), order(`${B}E000000`, 'BUY', 65));
    expect(ownFillsCover({ quantity: 130, owner: A, net: 130, fills: book })).toBe(false);
    expect(ownFillsCover({ quantity: 65, owner: 'ccccccccccccc', net: 130, fills: book })).toBe(
      false,
    );
  });
});

describe('heldAhead: covered positions first, then the rest, each by workflow id', () => {
  const others = [
    { workflowId: 'pos-a', covered: false, held: 65 },
    { workflowId: 'pos-b', covered: true, held: 130 },
    { workflowId: 'pos-d', covered: true, held: 195 },
  ];

  it('a covered position has only the covered before it in id order', () => {
    expect(heldAhead({ workflowId: 'pos-c', covered: true }, others)).toBe(130);
    expect(heldAhead({ workflowId: 'pos-0', covered: true }, others)).toBe(0);
  });

  it('an uncovered position has every covered one before it, then the uncovered in id order', () => {
    expect(heldAhead({ workflowId: 'pos-c', covered: false }, others)).toBe(390);
    expect(heldAhead({ workflowId: 'pos-0', covered: false }, others)).toBe(325);
  });
});
