import fc from 'fast-check';
import type { StrikeRule } from '../../../src/config/schema';
import { istEpoch } from '../../../src/domain/calendar';
import { toPaise } from '../../../src/domain/money';
import { black76Delta, black76Price } from '../../../src/domain/pricing';
import { selectStrike } from '../../../src/domain/strike';
import type { OptionChain, OptionQuote, OptionType } from '../../../src/domain/types';

const EXPIRY = '2025-11-25';
const AS_OF = istEpoch('2025-11-18', '10:00');

const quote = (
  strike: number,
  optionType: OptionType,
  ask: number,
  delta?: number,
): OptionQuote => ({
  token: strike * 10 + (optionType === 'CE' ? 1 : 2),
  tradingSymbol: `NIFTY25N25${strike}${optionType}`,
  underlying: 'NIFTY',
  expiry: EXPIRY,
  strike,
  optionType,
  lotSize: 65,
  tickSize: 0.05,
  ltp: ask,
  bid: ask > 0 ? ask - 0.5 : 0,
  ask,
  ...(delta !== undefined ? { delta } : {}),
});

const strikes = [23300, 23350, 23400, 23450, 23500, 23550, 23600, 23650, 23700];
const chainOf = (spot: number, options: OptionQuote[]): OptionChain => ({
  underlying: 'NIFTY',
  spot,
  expiry: EXPIRY,
  asOf: AS_OF,
  options,
});
// Asks fall by 20 a strike for calls and rise by 20 for puts: shape, not realism, is what matters here.
const ladder = (spot: number) =>
  chainOf(spot, [
    ...strikes.map((k, i) => quote(k, 'CE', 200 - 20 * i)),
    ...strikes.map((k, i) => quote(k, 'PE', 40 + 20 * i)),
  ]);

const strikeOf = (chain: OptionChain, direction: 'LONG' | 'SHORT', rule: StrikeRule) => {
  const r = selectStrike(chain, direction, rule);
  return r.ok ? `${r.quote.strike}${r.quote.optionType}` : r.reason;
};

describe('selectStrike: ATM, ITM and OTM over the ladder', () => {
  const chain = ladder(23512);

  it('LONG buys the call and SHORT the put at the strike nearest spot', () => {
    expect(strikeOf(chain, 'LONG', { mode: 'ATM' })).toBe('23500CE');
    expect(strikeOf(chain, 'SHORT', { mode: 'ATM' })).toBe('23500PE');
  });

  it('steps into the money downwards for calls and upwards for puts', () => {
    expect(strikeOf(chain, 'LONG', { mode: 'ITM', steps: 2 })).toBe('23400CE');
    expect(strikeOf(chain, 'SHORT', { mode: 'ITM', steps: 2 })).toBe('23600PE');
    expect(strikeOf(chain, 'LONG', { mode: 'OTM', steps: 1 })).toBe('23550CE');
    expect(strikeOf(chain, 'SHORT', { mode: 'OTM', steps: 1 })).toBe('23450PE');
  });

  it('breaks an exact tie towards the in-the-money strike', () => {
    const tie = ladder(23525);
    expect(strikeOf(tie, 'LONG', { mode: 'ATM' })).toBe('23500CE');
    expect(strikeOf(tie, 'SHORT', { mode: 'ATM' })).toBe('23550PE');
  });

  it('walks the listed strikes, so a gap in the ladder is stepped over', () => {
    const gappy = chainOf(
      23512,
      [23400, 23500, 23600, 23800].map((k) => quote(k, 'CE', 100)),
    );
    expect(strikeOf(gappy, 'LONG', { mode: 'OTM', steps: 2 })).toBe('23800CE');
  });

  it('rejects steps that run off the ladder and a spot outside it', () => {
    const off = selectStrike(chain, 'LONG', { mode: 'ITM', steps: 5 });
    expect(off).toEqual({
      ok: false,
      reason: 'STRIKE_NOT_IN_LADDER',
      message: "ITM-5 from ATM 23500 is beyond the chain's strikes 23300-23700",
    });
    expect(strikeOf(ladder(24100), 'LONG', { mode: 'ATM' })).toBe('STRIKE_NOT_IN_LADDER');
  });

  it('rejects a chain with no quotes of the wanted type, and a strike nobody offers', () => {
    const callsOnly = chainOf(
      23512,
      strikes.map((k) => quote(k, 'CE', 100)),
    );
    expect(strikeOf(callsOnly, 'SHORT', { mode: 'ATM' })).toBe('NO_QUOTES');
    const noOffer = chainOf(23512, [quote(23500, 'CE', 0), quote(23550, 'CE', 90)]);
    expect(selectStrike(noOffer, 'LONG', { mode: 'ATM' })).toEqual({
      ok: false,
      reason: 'ZERO_ASK',
      message: 'NIFTY25N2523500CE has no offer to buy from',
    });
  });

  it('ignores quotes for another expiry', () => {
    const mixed = chainOf(23512, [
      { ...quote(23500, 'CE', 100), expiry: '2025-12-02' },
      quote(23550, 'CE', 80),
    ]);
    expect(strikeOf(mixed, 'LONG', { mode: 'ATM' })).toBe('23550CE');
  });
});

describe('selectStrike: premium band', () => {
  const chain = ladder(23512); // call asks 200, 180, ..., 40

  it('picks the ask nearest the middle of the band', () => {
    // Band 90..130, middle 110: asks 100 and 120 are equally near; the cheaper one wins.
    expect(strikeOf(chain, 'LONG', { mode: 'PREMIUM', min: 90, max: 130 })).toBe('23550CE');
    // Band 105..140, middle 122.5: 120 (23500) beats 140 (23450).
    expect(strikeOf(chain, 'LONG', { mode: 'PREMIUM', min: 105, max: 140 })).toBe('23500CE');
  });

  it('rejects when no ask falls inside the band', () => {
    expect(selectStrike(chain, 'LONG', { mode: 'PREMIUM', min: 205, max: 300 })).toEqual({
      ok: false,
      reason: 'NOTHING_IN_BAND',
      message: 'no ask between 205 and 300',
    });
  });
});

describe('selectStrike: delta', () => {
  it('uses the delta on the quote when the feed provides it', () => {
    const chain = chainOf(23512, [
      quote(23500, 'PE', 100, -0.48),
      quote(23400, 'PE', 60, -0.31),
      quote(23300, 'PE', 35, -0.19),
    ]);
    expect(strikeOf(chain, 'SHORT', { mode: 'DELTA', target: 0.25 })).toBe('23300PE');
    expect(strikeOf(chain, 'SHORT', { mode: 'DELTA', target: 0.3 })).toBe('23400PE');
  });

  it('implies delta from the price when the quote has none', () => {
    const spot = 23512;
    const years = (istEpoch(EXPIRY, '15:30') - AS_OF) / (365 * 86_400_000);
    const model = (strike: number) => ({ forward: spot, strike, years, vol: 0.14, rate: 0 });
    const priced = strikes.map((k) => {
      const p = Math.round(black76Price({ ...model(k), optionType: 'CE' }) * 20) / 20;
      return { ...quote(k, 'CE', p), bid: p, ask: p, ltp: p };
    });
    const deltas = strikes.map((k) => black76Delta({ ...model(k), optionType: 'CE' }));
    // The strike whose true delta is nearest 0.3, found independently of selectStrike.
    const expected =
      strikes[
        deltas.reduce((b, d, i) => (Math.abs(d - 0.3) < Math.abs(deltas[b] - 0.3) ? i : b), 0)
      ];
    const picked = selectStrike(chainOf(spot, priced), 'LONG', { mode: 'DELTA', target: 0.3 });
    expect(picked.ok && picked.quote.strike).toBe(expected);
    expect(expected).toBe(23700);
  });

  it('rejects when no quote has a delta or a price', () => {
    const chain = chainOf(23512, [{ ...quote(23500, 'CE', 0), ltp: 0 }]);
    expect(strikeOf(chain, 'LONG', { mode: 'DELTA', target: 0.5 })).toBe('NO_DELTA');
  });
});

describe('selectStrike properties', () => {
  const arbQuote = fc.record({
    token: fc.integer(),
    tradingSymbol: fc.string(),
    underlying: fc.constant('NIFTY' as const),
    expiry: fc.constantFrom(EXPIRY, '2025-12-02'),
    strike: fc.oneof(
      fc.integer({ min: 22000, max: 25000 }).map((k) => k - (k % 50)),
      fc.double(),
    ),
    optionType: fc.constantFrom<OptionType>('CE', 'PE'),
    lotSize: fc.constant(65),
    tickSize: fc.constant(0.05),
    ltp: fc.double(),
    bid: fc.double(),
    ask: fc.oneof(
      fc.integer({ min: 0, max: 4000 }).map((t) => t * 0.05),
      fc.double(),
    ),
    delta: fc.option(fc.double({ min: -1, max: 1 }), { nil: undefined }),
  });
  const arbRule: fc.Arbitrary<StrikeRule> = fc.oneof(
    fc.constant({ mode: 'ATM' as const }),
    fc.record({ mode: fc.constant('ITM' as const), steps: fc.integer({ min: 1, max: 10 }) }),
    fc.record({ mode: fc.constant('OTM' as const), steps: fc.integer({ min: 1, max: 10 }) }),
    fc.record({
      mode: fc.constant('DELTA' as const),
      target: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    }),
    fc.record({
      mode: fc.constant('PREMIUM' as const),
      min: fc.double({ min: 0.05, max: 500, noNaN: true }),
      max: fc.double({ min: 0.05, max: 500, noNaN: true }),
    }),
  );
  const arbChain = fc.record({
    underlying: fc.constant('NIFTY' as const),
    spot: fc.oneof(fc.double({ min: 21000, max: 26000, noNaN: true }), fc.double()),
    expiry: fc.constant(EXPIRY),
    asOf: fc.oneof(fc.constant(AS_OF), fc.integer()),
    options: fc.array(arbQuote, { maxLength: 30 }),
  });

  it('never throws, and a chosen quote is in the chain, of the right type and expiry, with an offer', () => {
    fc.assert(
      fc.property(
        arbChain,
        fc.constantFrom('LONG' as const, 'SHORT' as const),
        arbRule,
        (chain, direction, rule) => {
          const result = selectStrike(chain, direction, rule);
          if (!result.ok) return;
          expect(chain.options).toContain(result.quote);
          expect(result.quote.optionType).toBe(direction === 'LONG' ? 'CE' : 'PE');
          expect(result.quote.expiry).toBe(chain.expiry);
          expect(result.quote.ask).toBeGreaterThan(0);
          if (rule.mode === 'PREMIUM') {
            expect(result.quote.ask).toBeGreaterThanOrEqual(rule.min - 0.005);
            expect(result.quote.ask).toBeLessThanOrEqual(rule.max + 0.005);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ATM is the listed strike nearest spot on a full ladder', () => {
    fc.assert(
      fc.property(fc.double({ min: 23300, max: 23700, noNaN: true }), (spot) => {
        const result = selectStrike(ladder(spot), 'LONG', { mode: 'ATM' });
        if (!result.ok) throw new Error(result.message);
        // Distances compare in paise, as selectStrike does.
        const gap = (k: number) => Math.abs(toPaise(k) - toPaise(spot));
        for (const k of strikes) expect(gap(result.quote.strike)).toBeLessThanOrEqual(gap(k));
      }),
    );
  });
});
