import {
  exchangeTokenOf,
  indexTokenOf,
  optionToken,
  SEGMENT_NFO,
  specOf,
  UNDERLYING_SPECS,
} from '../../../src/domain/instruments';
import { weeklyExpiries, monthlyExpiries } from '../../../src/domain/calendar';

describe('instruments table', () => {
  it('carries the static contract facts; the dated ones are in market-facts.ts', () => {
    expect(specOf('NIFTY')).toEqual({
      name: 'NIFTY',
      indexSymbol: 'NIFTY 50',
      indexToken: 256265,
      strikeStep: 50,
      tickSize: 0.05,
      referenceSpot: 25_900,
    });
    expect(specOf('BANKNIFTY')).toMatchObject({ strikeStep: 100, tickSize: 0.05 });
    expect(specOf('FINNIFTY')).toMatchObject({ strikeStep: 50, tickSize: 0.05 });
    expect(indexTokenOf('NIFTY')).toBe(256265);
  });

  it('derives distinct, stable NFO tokens below 2^31 for every listed contract', () => {
    const tokens = new Set<number>();
    let count = 0;
    for (const [u, spec] of Object.entries(UNDERLYING_SPECS)) {
      for (const expiry of new Set([
        ...weeklyExpiries('2026-11-17', 4),
        ...monthlyExpiries('2026-11-17', 3),
      ])) {
        for (let i = -60; i <= 60; i++) {
          for (const optionType of ['CE', 'PE'] as const) {
            const c = {
              underlying: u as keyof typeof UNDERLYING_SPECS,
              expiry,
              strike: spec.referenceSpot + i * spec.strikeStep,
              optionType,
            };
            const token = optionToken(c);
            expect(token).toBe(optionToken({ ...c }));
            expect(token % 256).toBe(SEGMENT_NFO);
            expect(token).toBeLessThan(2 ** 31);
            expect(exchangeTokenOf(token)).toBe(Math.floor(token / 256));
            tokens.add(token);
            count += 1;
          }
        }
      }
    }
    expect(tokens.size).toBe(count);
  });
});
