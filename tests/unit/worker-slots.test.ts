import { activitySlotsFor } from '../../src/workers/trading-worker';

describe('worker activity slots', () => {
  it('keeps the SDK default for a small book', () => {
    expect(activitySlotsFor(3)).toBe(100);
  });

  it('holds a price trigger for every position the book allows, and an order beside each', () => {
    expect(activitySlotsFor(2000)).toBe(4050);
  });
});
