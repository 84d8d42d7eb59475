import { RateLimiter } from '../../src/exchange/rate-limit';

describe("the paper exchange's rate limiter: a sliding second", () => {
  it('takes perSecond hits in any second and frees each a second after it was taken', () => {
    let now = 10_000;
    const limiter = new RateLimiter(2, () => now);
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, false]);
    now += 999;
    expect(limiter.tryTake()).toBe(false);
    now += 1;
    expect([limiter.tryTake(), limiter.tryTake(), limiter.tryTake()]).toEqual([true, true, false]);
  });

  it('counts a refused hit as nothing taken', () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now);
    expect(limiter.tryTake()).toBe(true);
    now = 500;
    expect(limiter.tryTake()).toBe(false);
    now = 1_000;
    expect(limiter.tryTake()).toBe(true);
  });
});
