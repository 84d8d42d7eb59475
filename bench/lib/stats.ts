/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface Summary {
  n: number;
  median: number;
  p99: number;
  max: number;
}

const round = (x: number) => Math.round(x * 10) / 10;

export const summarize = (samples: readonly number[]): Summary => ({
  n: samples.length,
  median: round(percentile(samples, 50)),
  p99: round(percentile(samples, 99)),
  max: round(percentile(samples, 100)),
});

/** How many times slower than the baseline, to two decimals. */
export const ratio = (value: number, baseline: number): number =>
  Math.round((value / baseline) * 100) / 100;
