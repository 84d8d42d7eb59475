import {
  applyMark,
  applyMarks,
  applyRelease,
  dailyLossBreached,
  decideReservation,
  exposureOf,
  latchBreaker,
  newAccountState,
  sumOpenTotals,
  tripKillSwitch,
  withOpenTotals,
  type AccountState,
  type RiskConfig,
} from '../../../src/domain/risk';

// config/default.yaml risk: 60% of 500,000 = 300,000 may be in use.
const risk: RiskConfig = {
  capital: 500_000,
  maxOpenPositions: 3,
  maxTradesPerDay: 20,
  maxDailyLoss: 15_000,
  maxCapitalInUsePct: 60,
  flattenOnDailyLoss: false,
};
const DAY = '2025-11-18';

const reserve = (state: AccountState, positionId: string, capital = 100_000) =>
  decideReservation(state, { positionId, capital }, risk);

const reserved = (state: AccountState, positionId: string, capital = 100_000) => {
  const d = reserve(state, positionId, capital);
  if (!d.ok) throw new Error(d.message);
  return d.state;
};

describe('decideReservation', () => {
  it('grants a slot and counts the trade', () => {
    const d = reserve(newAccountState(DAY), 'pos-a');
    expect(d).toEqual({
      ok: true,
      granted: 100_000,
      state: {
        day: DAY,
        openPositions: { 'pos-a': { capital: 100_000, unrealisedPnl: 0 } },
        tradesToday: 1,
        realisedPnl: 0,
        openTotals: { capitalPaise: 10_000_000, pnlPaise: 0, lossesPaise: 0 },
      },
    });
  });

  it('is idempotent for a position that already holds a slot', () => {
    const state = reserved(newAccountState(DAY), 'pos-a');
    const again = reserve(state, 'pos-a');
    expect(again).toEqual({ ok: true, granted: 100_000, state });
  });

  it('refuses a fourth open position', () => {
    let state = newAccountState(DAY);
    for (const id of ['a', 'b', 'c']) state = reserved(state, id, 50_000);
    expect(reserve(state, 'd', 50_000)).toEqual({
      ok: false,
      reason: 'MAX_OPEN_POSITIONS',
      message: '3 positions open, the limit is 3',
    });
  });

  it('refuses once the day has had its trades, even with slots free', () => {
    const state = { ...newAccountState(DAY), tradesToday: 20 };
    expect(reserve(state, 'x')).toMatchObject({ ok: false, reason: 'MAX_TRADES' });
  });

  it('trims a request to the capital left under the limit, and refuses when none is left', () => {
    let state = reserved(newAccountState(DAY), 'a', 250_000);
    const trimmed = reserve(state, 'b', 100_000);
    expect(trimmed).toMatchObject({ ok: true, granted: 50_000 });
    if (trimmed.ok) state = trimmed.state;
    expect(exposureOf(state).capitalInUse).toBe(300_000);
    expect(reserve(state, 'c', 1)).toEqual({
      ok: false,
      reason: 'CAPITAL_LIMIT',
      message: '300000 already in use reaches 60% of 500000',
    });
  });

  it('trips the daily-loss breaker on realised plus open losses, ignoring open profits', () => {
    let state = reserved(newAccountState(DAY), 'a', 50_000);
    state = reserved(state, 'b', 50_000);
    state = applyRelease(state, { positionId: 'a', realisedPnl: -9_000 });
    state = reserved(state, 'c', 50_000);
    state = applyMark(state, 'b', -6_000);
    state = applyMark(state, 'c', 20_000);
    // -9,000 realised - 6,000 open loss = -15,000: at the limit; c's open profit does not count.
    expect(exposureOf(state)).toEqual({
      capitalInUse: 100_000,
      openPnl: 14_000,
      breakerPnl: -15_000,
    });
    expect(dailyLossBreached(state, risk)).toBe(true);
    expect(reserve(state, 'd')).toEqual({
      ok: false,
      reason: 'DAILY_LOSS',
      message: 'daily loss 15000 has reached the limit 15000',
    });
    expect(dailyLossBreached(applyMark(state, 'b', -5_999.99), risk)).toBe(false);
  });

  it('refuses everything once the kill switch is latched, keeping the first reason', () => {
    let state = tripKillSwitch(newAccountState(DAY), 'operator', 1000);
    state = tripKillSwitch(state, 'second', 2000);
    expect(state.killSwitch).toEqual({ reason: 'operator', at: 1000 });
    expect(reserve(state, 'a')).toEqual({
      ok: false,
      reason: 'KILL_SWITCH',
      message: 'kill switch is on: operator',
    });
  });

  it('refuses a nonsensical capital request', () => {
    expect(reserve(newAccountState(DAY), 'a', Number.NaN)).toMatchObject({
      reason: 'INVALID_REQUEST',
    });
  });
});

describe('applyRelease and applyMarks', () => {
  it('frees the slot and banks P&L to the paisa, once', () => {
    let state = reserved(newAccountState(DAY), 'a');
    state = applyRelease(state, { positionId: 'a', realisedPnl: 0.1 });
    state = reserved(state, 'b');
    state = applyRelease(state, { positionId: 'b', realisedPnl: 0.2 });
    expect(state.realisedPnl).toBe(0.3);
    expect(state.openPositions).toEqual({});
    expect(state.tradesToday).toBe(2);
    expect(applyRelease(state, { positionId: 'b', realisedPnl: 0.2 })).toBe(state);
  });

  it('ignores marks for positions the book does not hold', () => {
    const state = newAccountState(DAY);
    expect(applyMark(state, 'ghost', -100)).toBe(state);
  });

  it('applies a batch of marks as one mark after another would, leaving the old book as it was', () => {
    const book = ['a', 'b', 'c'].reduce((s, id) => reserved(s, id), newAccountState(DAY));
    const before = structuredClone(book);
    const marks = [
      { positionId: 'a', unrealisedPnl: -10 },
      { positionId: 'ghost', unrealisedPnl: -99 },
      { positionId: 'b', unrealisedPnl: Number.NaN },
      { positionId: 'a', unrealisedPnl: -25.5 },
      { positionId: 'c', unrealisedPnl: 40 },
    ];
    const oneByOne = marks.reduce((s, m) => applyMark(s, m.positionId, m.unrealisedPnl), book);
    const batched = applyMarks(book, marks);
    expect(batched).toEqual(oneByOne);
    expect(batched.openPositions.a.unrealisedPnl).toBe(-25.5);
    expect(batched.openPositions.b).toEqual(book.openPositions.b);
    expect(book).toEqual(before);
    expect(applyMarks(book, [{ positionId: 'ghost', unrealisedPnl: 1 }])).toBe(book);
  });
});

describe('the breaker latch, the reconciliation gate and adopted positions', () => {
  it('latches the breaker on the first breach and keeps it when open losses recover', () => {
    const open = applyMark(reserved(newAccountState(DAY), 'a'), 'a', -15_000);
    const latched = latchBreaker(open, risk, 1234);
    expect(latched.breaker).toEqual({ at: 1234, lossPnl: -15_000 });
    const recovered = applyMark(latched, 'a', 2_000);
    expect(latchBreaker(recovered, risk, 9999)).toBe(recovered);
    expect(dailyLossBreached(recovered, risk)).toBe(true);
    expect(reserve(recovered, 'b')).toMatchObject({ ok: false, reason: 'DAILY_LOSS' });
  });

  it('leaves the state alone while the loss is under the limit', () => {
    const open = applyMark(reserved(newAccountState(DAY), 'a'), 'a', -14_999.99);
    expect(latchBreaker(open, risk, 1)).toBe(open);
  });

  it('holds new entries while reconciliation has the gate closed', () => {
    const gated = { ...newAccountState(DAY), entryGate: { reason: 'orphan X +65', at: 1 } };
    expect(reserve(gated, 'a')).toEqual({
      ok: false,
      reason: 'RECONCILIATION',
      message: 'entries are held by reconciliation: orphan X +65',
    });
  });

  it('always books an adopted position (the broker already holds it), and counts it', () => {
    const killed = tripKillSwitch(
      reserved(reserved(reserved(newAccountState(DAY), 'a'), 'b'), 'c'),
      'x',
      1,
    );
    const adopted = decideReservation(
      killed,
      { positionId: 'orphan', capital: 5_000, adopted: true },
      risk,
    );
    expect(adopted).toMatchObject({ ok: true, granted: 5_000 });
    if (adopted.ok) expect(adopted.state.tradesToday).toBe(4);
  });
});

describe('the running totals', () => {
  const wide: RiskConfig = {
    ...risk,
    capital: 1e9,
    maxOpenPositions: 10_000,
    maxTradesPerDay: 10_000,
    maxDailyLoss: 1e9,
  };
  /** A fixed walk, so a failure replays: mulberry32. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const { openTotals: _none, ...withoutTotals } = newAccountState(DAY);

  it('match the sums of the open positions after every reserve, release and batch of marks', () => {
    const next = random(20261207);
    let state = newAccountState(DAY);
    let id = 0;
    for (let step = 0; step < 3_000; step++) {
      const open = Object.keys(state.openPositions);
      const roll = next();
      if (roll < 0.45 || open.length === 0) {
        const capital = Math.round(next() * 1e7) / 100;
        const d = decideReservation(state, { positionId: `p${id++}`, capital }, wide);
        if (!d.ok) throw new Error(d.message);
        state = d.state;
      } else if (roll < 0.7) {
        const positionId = open[Math.floor(next() * open.length)];
        state = applyRelease(state, { positionId, realisedPnl: (next() - 0.5) * 1e4 });
      } else {
        // Marks as a price difference times a lot leaves them: fractions of a paisa included.
        const marks = open
          .filter(() => next() < 0.8)
          .map((positionId) => ({ positionId, unrealisedPnl: (next() - 0.6) * 12_345.678 }));
        state = applyMarks(state, marks);
      }
      expect(state.openTotals).toEqual(sumOpenTotals(state.openPositions));
    }
    expect(Object.keys(state.openPositions).length).toBeGreaterThan(100);
  });

  it('decide as the sums of the positions would', () => {
    const next = random(7);
    let state = newAccountState(DAY);
    for (let i = 0; i < 200; i++) {
      state = reservedIn(state, `p${i}`, Math.round(next() * 1e6) / 100);
      state = applyMark(state, `p${i}`, -(next() * 40));
    }
    const { openTotals, ...stripped } = state;
    expect(openTotals).toBeDefined();
    const limited = { ...wide, capital: 100_000, maxDailyLoss: 3_000 };
    for (const request of [
      { positionId: 'new', capital: 500 },
      { positionId: 'big', capital: 1e7 },
    ])
      expect(decideReservation(state, request, limited)).toEqual(
        decideReservation(stripped, request, limited),
      );
    expect(exposureOf(state)).toEqual(exposureOf(stripped));
    expect(dailyLossBreached(state, limited)).toBe(dailyLossBreached(stripped, limited));
  });

  it('are summed once for a book carried from before they existed', () => {
    const carried = {
      ...withoutTotals,
      openPositions: { a: { capital: 10.1, unrealisedPnl: -0.2 } },
    };
    const loaded = withOpenTotals(carried);
    expect(loaded.openTotals).toEqual({ capitalPaise: 1010, pnlPaise: -20, lossesPaise: -20 });
    expect(withOpenTotals(loaded)).toBe(loaded);
  });

  function reservedIn(state: AccountState, positionId: string, capital: number) {
    const d = decideReservation(state, { positionId, capital }, wide);
    if (!d.ok) throw new Error(d.message);
    return d.state;
  }
});
