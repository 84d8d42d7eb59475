import { judgeTick, type TickFilterState } from '../../../src/domain/tick-filter';

const rules = { maxJumpPct: 50 };
const feed = (prices: number[]) => {
  let state: TickFilterState = {};
  return prices.map((p) => {
    const verdict = judgeTick(state, p, rules);
    state = verdict.state;
    return verdict.accepted ? 'ok' : verdict.reason;
  });
};

describe('judgeTick: which prints a stop may fire on', () => {
  it.each([0, -1, NaN, Infinity])('never believes %s', (p) => {
    expect(feed([100, p])).toEqual(['ok', 'invalid']);
  });

  it('holds an isolated print far from the last good one', () => {
    expect(feed([100, 20, 100, 101])).toEqual(['ok', 'jump', 'ok', 'ok']);
  });

  it('follows a level that persists for three prints', () => {
    expect(feed([100, 20, 20.5, 19.95, 20])).toEqual(['ok', 'jump', 'jump', 'ok', 'ok']);
  });

  it('does not call a cheap option doubling a jump: moves under two rupees pass', () => {
    expect(feed([0.5, 1.2, 2.4])).toEqual(['ok', 'ok', 'ok']);
  });

  it('believes the first print, whatever it is, as long as it can be real', () => {
    expect(feed([12345])).toEqual(['ok']);
  });
});
