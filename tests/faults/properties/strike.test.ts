import fc from 'fast-check';
import { toPaise } from '../../../src/domain/money';
import { optionTypeFor, selectStrike } from '../../../src/domain/strike';
import type { OptionChain, OptionType } from '../../../src/domain/types';
import { direction, hostileChain, strikeRule } from './arbitraries';

/** The tradable ladder, worked out independently: distinct strikes (exact in paise) of one type and expiry. */
function ladder(chain: OptionChain, type: OptionType): number[] {
  const strikes = chain.options
    .filter((q) => q.optionType === type && q.expiry === chain.expiry)
    .map((q) => q.strike)
    .filter((k) => k > 0 && Number.isSafeInteger(toPaise(k)));
  return [...new Set(strikes.map(toPaise))].sort((a, b) => a - b);
}

describe('strike selection under a broken option chain', () => {
  it('never throws; a pick is a quote of the chain, of the direction\u2019s type and expiry, with an offer', () => {
    fc.assert(
      fc.property(hostileChain, direction, strikeRule, (chain, dir, rule) => {
        const result = selectStrike(chain, dir, rule);
        if (!result.ok) {
          expect(result.message.length).toBeGreaterThan(0);
          return;
        }
        expect(chain.options).toContain(result.quote);
        expect(result.quote.optionType).toBe(optionTypeFor(dir));
        expect(result.quote.expiry).toBe(chain.expiry);
        expect(ladder(chain, result.quote.optionType)).toContain(toPaise(result.quote.strike));
        expect(toPaise(result.quote.ask)).toBeGreaterThan(0);
      }),
      { numRuns: 1_000 },
    );
  });

  it('ATM is the listed strike nearest spot (ties in the money); ITM/OTM-n are n listed strikes away', () => {
    const stepped = fc.oneof(
      fc.constant({ mode: 'ATM' as const, steps: 0 }),
      fc.record({
        mode: fc.constantFrom('ITM' as const, 'OTM' as const),
        steps: fc.integer({ min: 1, max: 5 }),
      }),
    );
    fc.assert(
      fc.property(hostileChain, direction, stepped, (chain, dir, { mode, steps }) => {
        const result = selectStrike(chain, dir, mode === 'ATM' ? { mode } : { mode, steps });
        if (!result.ok) return;
        const type = optionTypeFor(dir);
        const strikes = ladder(chain, type);
        const spot = toPaise(chain.spot);
        const gap = (k: number) => Math.abs(k - spot);
        const nearest = Math.min(...strikes.map(gap));
        const atms = strikes.filter((k) => gap(k) === nearest);
        // Ladder ascending: the lower tied strike is in the money for a call, the higher for a put.
        const atm = strikes.indexOf(type === 'CE' ? atms[0] : atms[atms.length - 1]);
        const inward = type === 'CE' ? -1 : 1;
        const offset = mode === 'ATM' ? 0 : mode === 'ITM' ? steps * inward : -steps * inward;
        expect(toPaise(result.quote.strike)).toBe(strikes[atm + offset]);
      }),
      { numRuns: 1_000 },
    );
  });
});
