import { protectionPrice } from '../../src/exchange/matching/engine';

describe('market protection band', () => {
  it.each([
    ['BUY', 100, 2, 102],
    ['SELL', 100, 2, 98],
    ['BUY', 100, -1, 105],
    ['SELL', 100, -1, 95],
    // Automatic protection is at least five ticks on cheap options, never below the minimum tick.
    ['BUY', 2, -1, 2.25],
    ['SELL', 0.2, -1, 0.05],
    ['BUY', 10.01, 1, 10.15],
  ] as const)('%s at ltp %d with protection %d limits at %d', (side, ltp, protection, limit) => {
    expect(protectionPrice(side, ltp, protection)).toBe(limit);
  });
});
