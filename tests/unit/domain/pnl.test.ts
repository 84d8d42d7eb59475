import { averagePrice, netPnl } from '../../../src/domain/pnl';

describe('averagePrice', () => {
  it('weights slices by quantity', () => {
    // (1755 x 100.05 + 195 x 100.25) / 1950 = 195,136.50 / 1950 = 100.07
    expect(
      averagePrice([
        { quantity: 1755, price: 100.05 },
        { quantity: 195, price: 100.25 },
      ]),
    ).toBe(100.07);
  });

  it('rounds to the paisa when the average is not a whole paisa', () => {
    // (65 x 100 + 130 x 100.05) / 195 = 100.0333...
    expect(
      averagePrice([
        { quantity: 65, price: 100 },
        { quantity: 130, price: 100.05 },
      ]),
    ).toBe(100.03);
  });

  it('is undefined with nothing filled', () => {
    expect(averagePrice([])).toBeUndefined();
  });
});

describe('netPnl', () => {
  it('nets charges off the gross of a sliced round trip', () => {
    // Entry turnover 195,136.50; exit 1950 x 110 = 214,500; gross 19,363.50.
    const pnl = netPnl({
      entryFills: [
        { quantity: 1755, price: 100.05 },
        { quantity: 195, price: 100.25 },
      ],
      exitFills: [{ quantity: 1950, price: 110 }],
      charges: 418.11,
    });
    expect(pnl).toEqual({ gross: 19363.5, charges: 418.11, net: 18945.39, openQuantity: 0 });
  });

  it('reports a loss as negative', () => {
    const pnl = netPnl({
      entryFills: [{ quantity: 65, price: 100 }],
      exitFills: [{ quantity: 65, price: 75 }],
      charges: 58.9,
    });
    // 65 x (75 - 100) = -1,625
    expect(pnl).toEqual({ gross: -1625, charges: 58.9, net: -1683.9, openQuantity: 0 });
  });

  it('costs a partial exit at the average entry and reports what is still open', () => {
    const pnl = netPnl({
      entryFills: [{ quantity: 130, price: 100 }],
      exitFills: [{ quantity: 65, price: 120 }],
      charges: 0,
    });
    expect(pnl).toEqual({ gross: 1300, charges: 0, net: 1300, openQuantity: 65 });
  });

  it('is flat with no fills at all', () => {
    expect(netPnl({ entryFills: [], exitFills: [], charges: 0 })).toEqual({
      gross: 0,
      charges: 0,
      net: 0,
      openQuantity: 0,
    });
  });
});
