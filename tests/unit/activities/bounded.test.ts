import { mapBounded } from '../../../src/activities/bounded';

/** A call that resolves when the test says, recording how many were in flight at once. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const pending: (() => void)[] = [];
  const call = async (x: number) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise<void>((resolve) => pending.push(resolve));
    inFlight--;
    return x * 10;
  };
  const releaseAll = async () => {
    while (pending.length > 0) {
      pending.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { call, releaseAll, peak: () => peak, started: () => pending.length };
}

describe('mapBounded', () => {
  it('keeps at most `limit` calls in flight and answers in the items order', async () => {
    const g = gate();
    const run = mapBounded([1, 2, 3, 4, 5, 6, 7], 3, g.call);
    await new Promise((resolve) => setImmediate(resolve));
    expect(g.started()).toBe(3);
    await g.releaseAll();
    await expect(run).resolves.toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(g.peak()).toBe(3);
  });

  it('runs every item at once when the limit is above their count', async () => {
    const g = gate();
    const run = mapBounded([1, 2], 16, g.call);
    await new Promise((resolve) => setImmediate(resolve));
    expect(g.started()).toBe(2);
    await g.releaseAll();
    await expect(run).resolves.toEqual([10, 20]);
  });

  it('answers later items in their place even when they finish first', async () => {
    const delays = [30, 1, 15];
    const out = await mapBounded(delays, 3, async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms;
    });
    expect(out).toEqual([30, 1, 15]);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapBounded([1, 2, 3], 2, async (x) => {
        if (x === 2) throw new Error('query failed: 2');
        return x;
      }),
    ).rejects.toThrow('query failed: 2');
  });

  it('answers nothing for no items, and refuses a limit below one', async () => {
    await expect(mapBounded([], 4, async (x: number) => x)).resolves.toEqual([]);
    await expect(mapBounded([1], 0, async (x) => x)).rejects.toThrow(
      'limit: expected a positive integer, got 0',
    );
  });
});
