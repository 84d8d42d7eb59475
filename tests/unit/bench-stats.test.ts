import { percentile, summarize } from '../../bench/lib/stats';

describe('bench percentiles (nearest rank)', () => {
  it('picks the sample at the rank, whatever the input order', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(samples, 100)).toBe(5);
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });

  it('takes the 99th percentile of 200 samples as the 198th smallest', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(percentile(samples, 99)).toBe(198);
    expect(summarize(samples)).toEqual({ n: 200, median: 100, p99: 198, max: 200 });
  });

  it('has no percentile of nothing', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});
