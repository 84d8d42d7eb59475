import fc from 'fast-check';
import { parseSignal, parseSignalOrThrow, SignalValidationError } from '../../../src/domain/signal';
import { anyValue, signalWithOneBadField, validSignal } from './arbitraries';
import { namesSignalField } from './signal-fields';

describe('signal schema under bad input', () => {
  it('never throws: any value is either a signal, unchanged, or errors that each name a field', () => {
    const inputs = fc.oneof(
      anyValue,
      fc.object({ values: [anyValue] }),
      fc
        .tuple(validSignal, fc.string(), anyValue)
        .map(([s, key, value]) => ({ ...s, [key]: value })),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        const result = parseSignal(input);
        if (result.ok) {
          // Strict schema, no transforms: what passes is exactly what was sent.
          expect(result.signal).toEqual(input);
          return;
        }
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) expect(namesSignalField(error, input)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts every valid signal, also after a JSON round trip as the webhook receives it', () => {
    fc.assert(
      fc.property(validSignal, (signal) => {
        expect(parseSignal(signal)).toEqual({ ok: true, signal });
        expect(parseSignal(JSON.parse(JSON.stringify(signal)))).toMatchObject({ ok: true });
      }),
      { numRuns: 500 },
    );
  });

  it('one bad field gives errors naming exactly that field, and nothing else', () => {
    fc.assert(
      fc.property(signalWithOneBadField, ({ path, input }) => {
        const result = parseSignal(input);
        if (result.ok) throw new Error(`${path} = ${JSON.stringify(input)} was accepted`);
        for (const error of result.errors) {
          expect(error.startsWith(`${path}: `) || error.startsWith(`${path}.`)).toBe(true);
        }
        expect(() => parseSignalOrThrow(input)).toThrow(SignalValidationError);
      }),
      { numRuns: 2_000 },
    );
  });

  it('an unknown field is named as such and is the only error', () => {
    fc.assert(
      fc.property(validSignal, fc.string({ minLength: 1 }), anyValue, (signal, key, value) => {
        // Optional fields the signal happens to lack are known too.
        fc.pre(!(key in signal) && !['referencePrice', 'exits'].includes(key));
        expect(parseSignal({ ...signal, [key]: value })).toEqual({
          ok: false,
          errors: [`${key}: unknown field`],
        });
      }),
    );
  });

  it('any createdAt the schema accepts is a real instant, so the age check can never see NaN', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const stamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')),
        two(19),
        two(39),
        two(29),
        two(69),
        two(69),
        fc.constantFrom('', '.5', '.123', '.123456789'),
        fc.constantFrom('Z', 'z', '+05:30', '-23:59', '+24:00', '+99:99', '+0530', ''),
      )
      .map(([y, mo, d, h, mi, s, frac, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone}`);
    fc.assert(
      fc.property(validSignal, stamp, (signal, createdAt) => {
        const result = parseSignal({ ...signal, createdAt });
        if (result.ok) expect(Number.isFinite(Date.parse(createdAt))).toBe(true);
        else expect(result.errors).toEqual([expect.stringMatching(/^createdAt: /)]);
      }),
      { numRuns: 2_000 },
    );
  });
});
