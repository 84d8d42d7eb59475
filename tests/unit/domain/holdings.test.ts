import { compareHoldings, sizeExit, unsupervisedLong } from '../../../src/domain/holdings';

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
