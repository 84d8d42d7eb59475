import { parseSignal, parseSignalOrThrow, SignalValidationError } from '../../../src/domain/signal';

const valid = {
  id: 'ema-cross:2025-11-18T09:30_1',
  underlying: 'NIFTY',
  direction: 'LONG',
  strategy: 'ema-cross',
  strength: 7,
  expectedMovePct: 0.4,
  createdAt: '2025-11-18T09:30:00+05:30',
};

describe('parseSignal', () => {
  it('accepts a complete signal with premium and underlying exit overrides', () => {
    const result = parseSignal({
      ...valid,
      referencePrice: 23512.5,
      exits: {
        stopLoss: { underlyingLevel: 23400 },
        target: { pct: 60 },
        trailing: { activation: { points: 10 }, distance: { points: 8 }, step: { points: 2 } },
        maxHoldMinutes: 45,
      },
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.signal.exits?.stopLoss).toEqual({ underlyingLevel: 23400 });
  });

  it('names the field, the expectation and the value', () => {
    expect(parseSignal({ ...valid, strength: 12 })).toEqual({
      ok: false,
      errors: ['strength: expected a number from 0 to 10, got 12'],
    });
  });

  it('reports every problem at once, including unknown and missing fields', () => {
    const { strategy: _dropped, ...withoutStrategy } = valid;
    const result = parseSignal({
      ...withoutStrategy,
      id: 'has space',
      underlying: 'SENSEX',
      direction: 'UP',
      expectedMovePct: 0,
      createdAt: '2025-11-18T09:30:00',
      exits: { stopLoss: { points: 10, pct: 20 } },
      quantity: 75,
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        'id: expected 1-64 characters of A-Z a-z 0-9 _ . : -, got "has space"',
        'underlying: expected one of NIFTY, BANKNIFTY, FINNIFTY, got "SENSEX"',
        'direction: expected LONG (buys CE) or SHORT (buys PE), got "UP"',
        'strategy: required, missing',
        'expectedMovePct: expected a positive percent, got 0',
        'exits.stopLoss: expected exactly one of points, pct or underlyingLevel, got {"points":10,"pct":20}',
        'createdAt: expected an ISO-8601 timestamp with a zone, e.g. 2025-11-18T09:30:00+05:30, got "2025-11-18T09:30:00"',
        'quantity: unknown field',
      ],
    });
  });

  it('limits the id to 64 characters because it becomes a workflow id', () => {
    expect(parseSignal({ ...valid, id: 'a'.repeat(64) }).ok).toBe(true);
    expect(parseSignal({ ...valid, id: 'a'.repeat(65) }).ok).toBe(false);
    expect(parseSignal({ ...valid, id: '' }).ok).toBe(false);
  });

  it('rejects a non-object', () => {
    expect(parseSignal('buy nifty')).toEqual({
      ok: false,
      errors: ['(signal): expected an object, got "buy nifty"'],
    });
  });

  it('throws a SignalValidationError carrying the same messages', () => {
    expect(() => parseSignalOrThrow({ ...valid, strength: -1 })).toThrow(SignalValidationError);
    try {
      parseSignalOrThrow({ ...valid, strength: -1 });
    } catch (err) {
      expect((err as SignalValidationError).errors).toEqual([
        'strength: expected a number from 0 to 10, got -1',
      ]);
    }
    expect(parseSignalOrThrow(valid).id).toBe(valid.id);
  });
});

describe('index levels at intake', () => {
  const at = (direction: 'LONG' | 'SHORT', exits: object, referencePrice?: number) =>
    parseSignal({ ...valid, direction, exits, ...(referencePrice && { referencePrice }) });

  it.each([
    // A LONG (call) has its stop below the index and its target above: both round toward the spot.
    ['LONG', 'stopLoss', 27400.37, 27400.4],
    ['LONG', 'target', 27600.37, 27600.35],
    // A SHORT (put) is the mirror image.
    ['SHORT', 'stopLoss', 27600.37, 27600.35],
    ['SHORT', 'target', 27400.37, 27400.4],
    ['LONG', 'stopLoss', 27400.05, 27400.05],
  ] as const)('%s %s %d rounds to %d', (direction, kind, level, rounded) => {
    const result = at(direction, { [kind]: { underlyingLevel: level } });
    expect(result.ok && result.signal.exits?.[kind]?.underlyingLevel).toBe(rounded);
  });

  it('refuses a level on the wrong side of the reference price, naming the field', () => {
    expect(at('LONG', { stopLoss: { underlyingLevel: 27600 } }, 27500)).toEqual({
      ok: false,
      errors: [
        'exits.stopLoss.underlyingLevel: expected a level below the index (27500) for a LONG (call), got 27600',
      ],
    });
    expect(at('SHORT', { target: { underlyingLevel: 27600 } }, 27500)).toEqual({
      ok: false,
      errors: [
        'exits.target.underlyingLevel: expected a level below the index (27500) for a SHORT (put), got 27600',
      ],
    });
  });

  it('takes levels on their side of the reference price', () => {
    expect(
      at(
        'LONG',
        { stopLoss: { underlyingLevel: 27400 }, target: { underlyingLevel: 27600 } },
        27500,
      ).ok,
    ).toBe(true);
  });
});
