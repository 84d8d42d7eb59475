import fc from 'fast-check';
import { optionSymbol, parseOptionSymbol } from '../../../src/domain/symbols';

describe('Kite option symbols', () => {
  it('formats weeklies with the one-character month code and monthlies with the month name', () => {
    const base = { underlying: 'NIFTY', strike: 23500, optionType: 'CE' } as const;
    expect(optionSymbol({ ...base, expiry: '2025-11-18', monthly: false })).toBe(
      'NIFTY25N1823500CE',
    );
    expect(optionSymbol({ ...base, expiry: '2025-01-07', monthly: false })).toBe(
      'NIFTY2510723500CE',
    );
    expect(optionSymbol({ ...base, expiry: '2025-10-07', monthly: false })).toBe(
      'NIFTY25O0723500CE',
    );
    expect(optionSymbol({ ...base, expiry: '2025-11-25', monthly: true })).toBe(
      'NIFTY25NOV23500CE',
    );
    expect(
      optionSymbol({
        underlying: 'BANKNIFTY',
        expiry: '2026-12-29',
        strike: 58500,
        optionType: 'PE',
        monthly: true,
      }),
    ).toBe('BANKNIFTY26DEC58500PE');
  });

  it('parses what it formats, monthly expiries from the calendar', () => {
    expect(parseOptionSymbol('NIFTY25NOV23500CE')).toEqual({
      underlying: 'NIFTY',
      expiry: '2025-11-25',
      strike: 23500,
      optionType: 'CE',
      monthly: true,
    });
    expect(parseOptionSymbol('FINNIFTY26D0127000PE')).toEqual({
      underlying: 'FINNIFTY',
      expiry: '2026-12-01',
      strike: 27000,
      optionType: 'PE',
      monthly: false,
    });
    expect(parseOptionSymbol('NIFTY 50')).toBeNull();
    expect(parseOptionSymbol('RELIANCE25NOV1400CE')).toBeNull();
  });

  it('round-trips any weekly contract', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('NIFTY', 'BANKNIFTY', 'FINNIFTY' as const),
        fc.date({ min: new Date('2025-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        fc.integer({ min: 100, max: 2000 }),
        fc.constantFrom('CE', 'PE' as const),
        (underlying, date, steps, optionType) => {
          const parts = {
            underlying,
            expiry: date.toISOString().slice(0, 10),
            strike: steps * 50,
            optionType,
            monthly: false,
          } as const;
          expect(parseOptionSymbol(optionSymbol(parts))).toEqual(parts);
        },
      ),
    );
  });
});
