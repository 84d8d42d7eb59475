import { istEpoch } from '../../../src/domain/calendar';
import type { SessionConfig } from '../../../src/domain/session';
import type { Signal } from '../../../src/domain/signal';
import { validateSignal, type SignalRules } from '../../../src/domain/validation';

const session: SessionConfig = {
  calendar: 'ist-hours',
  open: '09:15',
  close: '15:30',
  noNewEntriesAfter: '15:00',
  squareOffAt: '15:15',
};
const rules: SignalRules = { minStrength: 5, minExpectedMovePct: 0.2, maxAgeSeconds: 120 };
const now = istEpoch('2025-11-18', '10:00'); // 04:30Z

const signal = (over: Partial<Signal> = {}): Signal => ({
  id: 's1',
  underlying: 'NIFTY',
  direction: 'LONG',
  strategy: 'test',
  strength: 6,
  expectedMovePct: 0.3,
  createdAt: '2025-11-18T04:29:00Z', // 60 s before now
  ...over,
});

describe('validateSignal', () => {
  it('accepts a fresh, strong signal inside market hours', () => {
    expect(validateSignal(signal(), now, rules, session)).toEqual({ ok: true });
  });

  it('accepts values exactly at the minimums and the age limit', () => {
    const edge = signal({ strength: 5, expectedMovePct: 0.2, createdAt: '2025-11-18T04:28:00Z' });
    expect(validateSignal(edge, now, rules, session)).toEqual({ ok: true });
  });

  it('lists every failed rule', () => {
    const weak = signal({ strength: 4.5, expectedMovePct: 0.1, createdAt: '2025-11-18T04:27:00Z' });
    expect(validateSignal(weak, now, rules, session)).toEqual({
      ok: false,
      reasons: [
        'strength 4.5 is below the minimum 5',
        'expected move 0.1% is below the minimum 0.2%',
        'signal is stale: created 180s ago, the limit is 120s',
      ],
    });
  });

  it('tolerates a few seconds of clock skew but not a signal from the future', () => {
    const skewed = signal({ createdAt: '2025-11-18T04:30:04Z' });
    expect(validateSignal(skewed, now, rules, session).ok).toBe(true);
    const future = signal({ createdAt: '2025-11-18T04:30:30Z' });
    expect(validateSignal(future, now, rules, session)).toEqual({
      ok: false,
      reasons: ['createdAt is 30s in the future'],
    });
  });

  it('honours a zone offset in createdAt', () => {
    const offset = signal({ createdAt: '2025-11-18T09:59:30+05:30' });
    expect(validateSignal(offset, now, rules, session).ok).toBe(true);
  });

  it('blocks entries after the cutoff and outside hours, but not in an always-open session', () => {
    const late = istEpoch('2025-11-18', '15:01');
    const lateSignal = signal({ createdAt: new Date(late - 10_000).toISOString() });
    expect(validateSignal(lateSignal, late, rules, session)).toEqual({
      ok: false,
      reasons: ['no new entries after 15:00 IST'],
    });
    expect(
      validateSignal(lateSignal, late, rules, { ...session, calendar: 'always-open' }),
    ).toEqual({ ok: true });
  });
});
