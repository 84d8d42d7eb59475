/** Sliding one-second window: at most `perSecond` hits in any 1000 ms. */
export class RateLimiter {
  private hits: number[] = [];

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  tryTake(): boolean {
    const t = this.now();
    this.hits = this.hits.filter((h) => t - h < 1000);
    if (this.hits.length >= this.perSecond) return false;
    this.hits.push(t);
    return true;
  }
}
