import fc from 'fast-check';
import { black76Delta, black76Price } from '../../../src/domain/pricing';

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
});
