import type { Baseline } from './baseline';
import type { BenchOutcome } from './report';
import type { BenchTemporal } from './temporal';

export interface BenchContext {
  temporal: BenchTemporal;
  baseline: Baseline;
  /** `--quick`: a few samples per figure, for developing the benchmarks themselves. */
  quick: boolean;
  /** `--setting KEY=VALUE`: TRADER__ settings for every benchmark's worker, over its own. */
  settings: Record<string, string>;
  /** `--worker-env KEY=VALUE`: more environment for every benchmark's worker processes. */
  workerEnv: Record<string, string>;
  /**
   * `--exchange-dir DIR`: where the paper exchange keeps its journal (the
   * system's temporary directory by default), to weigh its fsyncs apart.
   */
  exchangeDir?: string;
  log(message: string): void;
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchOutcome>;

/** A full run's sample count, or a handful under --quick. */
export const samples = (ctx: BenchContext, full: number, quick = 5): number =>
  ctx.quick ? quick : full;
