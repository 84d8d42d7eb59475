import fc from 'fast-check';
import { black76Delta, black76Price, black76Vega, impliedVol } from '../../../src/domain/pricing';

const base = { forward: 25_000, strike: 25_000, years: 7 / 365, vol: 0.13, rate: 0.065 };

describe('Black-76', () => {
  it('prices an ATM weekly near the textbook 0.4 * F * vol * sqrt(T)', () => {
    const approx = 0.4 * 25_000 * 0.13 * Math.sqrt(7 / 365);
    expect(black76Price({ ...base, optionType: 'CE' })).toBeCloseTo(
      approx * Math.exp(-0.065 * (7 / 365)),
      -1,
    );
    expect(black76Delta({ ...base, optionType: 'CE' })).toBeCloseTo(0.5, 1);
  });

  it('is worth intrinsic value at expiry', () => {
    expect(black76Price({ ...base, strike: 24_800, years: 0, optionType: 'CE' })).toBe(200);
    expect(black76Price({ ...base, strike: 24_800, years: 0, optionType: 'PE' })).toBe(0);
    expect(black76Delta({ ...base, strike: 24_800, years: 0, optionType: 'CE' })).toBe(1);
  });

  it('satisfies put-call parity and delta bounds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.8, max: 1.2, noNaN: true }),
        fc.double({ min: 1 / 365, max: 0.5, noNaN: true }),
        fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        (moneyness, years, vol) => {
          const p = { ...base, strike: 25_000 * moneyness, years, vol };
          const call = black76Price({ ...p, optionType: 'CE' });
          const put = black76Price({ ...p, optionType: 'PE' });
          expect(call - put).toBeCloseTo(Math.exp(-p.rate * years) * (p.forward - p.strike), 4);
          const dc = black76Delta({ ...p, optionType: 'CE' });
          const dp = black76Delta({ ...p, optionType: 'PE' });
          expect(dc).toBeGreaterThanOrEqual(0);
          expect(dc).toBeLessThanOrEqual(1);
          expect(dc - dp).toBeCloseTo(Math.exp(-p.rate * years), 6);
        },
      ),
    );
  });

  it('has a vega that matches the slope of the price in volatility', () => {
    const p = { ...base, strike: 25_300, optionType: 'CE' as const };
    const h = 1e-5;
    const slope =
      (black76Price({ ...p, vol: p.vol + h }) - black76Price({ ...p, vol: p.vol - h })) / (2 * h);
    // Relative: the price's erf is an approximation (1.5e-7), the vega's density is exact.
    expect(Math.abs(black76Vega(p) / slope - 1)).toBeLessThan(1e-4);
  });
});

describe('impliedVol', () => {
  it('gives back the volatility a price was made with, across strikes, expiries and both types', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.85, max: 1.15, noNaN: true }),
        fc.double({ min: 1 / 365, max: 0.5, noNaN: true }),
        fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        fc.constantFrom('CE' as const, 'PE' as const),
        (moneyness, years, vol, optionType) => {
          const p = { ...base, strike: 25_000 * moneyness, years, vol, optionType };
          const price = black76Price(p);
          // Far out of the money the price is below what a vol can be told apart by.
          fc.pre(black76Vega(p) * 1e-6 > 1e-9 * price && price > 0.01);
          expect(impliedVol({ ...p, price })).toBeCloseTo(vol, 6);
        },
      ),
    );
  });

  it('refuses a price no volatility in range fits: at or below intrinsic, above the ceiling, at expiry', () => {
    const p = { ...base, strike: 24_800, optionType: 'CE' as const };
    expect(impliedVol({ ...p, price: 200 * Math.exp(-0.065 * (7 / 365)) })).toBeUndefined();
    expect(impliedVol({ ...p, price: 150 })).toBeUndefined();
    expect(impliedVol({ ...p, price: black76Price({ ...p, vol: 5.5 }) })).toBeUndefined();
    expect(impliedVol({ ...p, years: 0, price: 250 })).toBeUndefined();
    expect(impliedVol({ ...p, price: black76Price({ ...p, vol: 0.2 }) }, 0.3)).toBeUndefined();
  });
});
