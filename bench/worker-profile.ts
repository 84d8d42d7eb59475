import os from 'node:os';
import path from 'node:path';
import { growTo, startBookStack, USAGE_WINDOW_MS } from './capacity';
import type { BenchContext } from './lib/context';
import {
  isolateMemory,
  profileCpu,
  sampleRetained,
  type IsolateMemory,
  type ProfileSummary,
  type RetainedSummary,
} from './lib/cpu-profile';
import { Inspector } from './lib/inspector';
import type { OpenPosition } from './lib/open';
import { terminateAll } from './lib/positions';
import type { BenchOutcome, Row } from './lib/report';
import { sleep } from './lib/rendezvous';
import { ratio } from './lib/stats';
import { measureUsage, threadCpuPct, threadCpuSeconds, type Usage } from './lib/usage';
import { metricsUrlOf, scrapeSdkSeries, sdkRates } from './lib/worker-metrics';

/** `PROFILE_CPU_SECONDS`: each CPU profile's length; 90 s spans a reconciler run at 1,000 (bench/stalls.ts reads them). */
const PROFILE_WINDOW_MS = Number(process.env.PROFILE_CPU_SECONDS ?? 10) * 1000;
/** `PROFILE_WINDOW_SECONDS`: the usage and SDK-counter window; a minute or more spans a whole reconciler cycle. */
const usageWindowMs = () =>
  Number(process.env.PROFILE_WINDOW_SECONDS ?? USAGE_WINDOW_MS / 1000) * 1000;

interface Weighed {
  open: number;
  usage: Usage;
  rssAfterGcMiB: number;
  heaps: Record<string, IsolateMemory>;
  cpu: Record<string, ProfileSummary>;
  /** Each thread's share of a core over the usage window, the busiest first (`threadCpuPct`). */
  threads: [string, number][];
  /** The SDK's own counters over the usage window, per second (workflow tasks, replays, cache misses). */
  sdk: Record<string, number>;
  /** What the positions opened since the last size allocated and still hold, by isolate. */
  retained?: Record<string, RetainedSummary>;
}

const sum = (heaps: Record<string, IsolateMemory>, pick: (m: IsolateMemory) => number) =>
  Object.values(heaps).reduce((total, m) => total + pick(m), 0);

async function weigh(
  stack: Awaited<ReturnType<typeof startBookStack>>,
  inspector: Inspector,
  open: number,
  label: string,
): Promise<Weighed> {
  const metricsUrl = metricsUrlOf(stack.workerLog);
  const before = await scrapeSdkSeries(metricsUrl);
  const threadsBefore = threadCpuSeconds(stack.worker.pid!);
  const usage = await measureUsage(stack.worker, usageWindowMs());
  const threads = threadCpuPct(
    threadsBefore,
    threadCpuSeconds(stack.worker.pid!),
    usageWindowMs() / 1000,
  );
  const sdk = sdkRates(before, await scrapeSdkSeries(metricsUrl), usageWindowMs() / 1000);
  const cpu: Record<string, ProfileSummary> = {};
  // All isolates at once, so their shares are of the same seconds.
  await Promise.all(
    inspector.isolates().map(async (target) => {
      const file = path.join(
        os.tmpdir(),
        `trader-bench-profile-${label}-${target.title.replace(/\W+/g, '-')}.cpuprofile`,
      );
      cpu[target.title] = await profileCpu(target, PROFILE_WINDOW_MS, file);
    }),
  );
  const heaps: Record<string, IsolateMemory> = {};
  for (const target of inspector.isolates()) heaps[target.title] = await isolateMemory(target);
  await sleep(1_000);
  const rssAfterGcMiB = Math.round((stack.worker.usage()?.rssBytes ?? 0) / 2 ** 20);
  return { open, usage, threads, rssAfterGcMiB, heaps, cpu, sdk };
}

const kibPerPosition = (from: number, to: number, positions: number) =>
  Math.round(((to - from) * 1024) / positions);

/**
 * Where a worker carrying a book spends its CPU and memory, from inside it:
 * the production worker runs with `--inspect`, and at each size the benchmark
 * takes a CPU profile of every isolate (the main thread and each workflow
 * thread) and weighs each heap after a full collection beside the process's
 * RSS. Between the last two sizes the workflow cache is full, so the growth
 * per position there is what a position costs outside the cache.
 * `PROFILE_SIZES=100,300,500` by default (the cache holds 250).
 */
export async function workerProfile(ctx: BenchContext): Promise<BenchOutcome> {
  const sizes = (process.env.PROFILE_SIZES ?? (ctx.quick ? '10,30' : '100,300,500'))
    .split(',')
    .map(Number);
  const stack = await startBookStack(ctx, 'worker-profile', {
    NODE_OPTIONS: '--inspect=127.0.0.1:0',
  });
  const inspector = await Inspector.attach(stack.workerLog);
  const details: Record<string, unknown> = {
    sizes,
    threads: inspector.workerThreads().map((t) => t.title),
    profiles: `${os.tmpdir()}/trader-bench-profile-*.cpuprofile`,
  };
  const rows: Row[] = [];
  try {
    await sleep(5_000);
    const idle = await weigh(stack, inspector, 0, 'idle');
    details.idle = idle;
    const book: OpenPosition[] = [];
    const weighed: Weighed[] = [idle];
    for (const size of sizes) {
      const stops = await Promise.all(
        inspector.isolates().map(async (t) => [t.title, await sampleRetained(t)] as const),
      );
      const { open } = await growTo(stack, book, size, ctx.log);
      const w = await weigh(stack, inspector, open, `at-${size}`);
      w.retained = {};
      for (const [title, stop] of stops) w.retained[title] = await stop();
      ctx.log(
        `at ${size}: ${JSON.stringify({ ...w, cpu: undefined, retained: undefined, sdk: undefined })}`,
      );
      ctx.log(`SDK per second at ${size}: ${JSON.stringify(w.sdk)}`);
      for (const [title, r] of Object.entries(w.retained))
        ctx.log(`retained in ${title} since the last size: ${JSON.stringify(r)}`);
      details[`size${size}`] = w;
      weighed.push(w);
      const threadHeaps = sum(w.heaps, (m) => m.heapUsedMiB) - w.heaps.main.heapUsedMiB;
      const top = (s: ProfileSummary) =>
        s.byCategory
          .filter(([c]) => c !== '(idle)')
          .slice(0, 4)
          .map(([c, p]) => `${c} ${p}%`)
          .join(', ');
      rows.push(
        {
          metric: `profile @${size}: worker RSS`,
          unit: 'MiB',
          value: w.usage.workerRssMiB,
          baseline: `idle worker ${idle.usage.workerRssMiB}`,
          ratio: ratio(w.usage.workerRssMiB, idle.usage.workerRssMiB),
          note: `${open} OPEN; after GC ${w.rssAfterGcMiB}; main heap ${w.heaps.main.heapUsedMiB}, workflow threads' heaps ${Math.round(threadHeaps)}, external ${Math.round(sum(w.heaps, (m) => m.externalMiB))}`,
        },
        {
          metric: `profile @${size}: worker CPU`,
          unit: '% of a core',
          value: w.usage.workerCpuPct,
          baseline: `idle worker ${idle.usage.workerCpuPct}`,
          ratio: ratio(w.usage.workerCpuPct, idle.usage.workerCpuPct),
          note: `${Object.entries(w.cpu)
            .map(([title, s]) => `${title}: busy ${s.busyPct}% (${top(s)})`)
            .join('; ')}. By thread, % of a core: ${w.threads
            .slice(0, 8)
            .map(([t, p]) => `${t} ${p}`)
            .join(', ')}`,
        },
      );
    }
    const [a, b] = weighed.slice(-2);
    const positions = b.open - a.open;
    if (positions > 0) {
      const heap = (w: Weighed) => sum(w.heaps, (m) => m.heapUsedMiB);
      const outside = {
        rssKiB: kibPerPosition(a.rssAfterGcMiB, b.rssAfterGcMiB, positions),
        mainHeapKiB: kibPerPosition(a.heaps.main.heapUsedMiB, b.heaps.main.heapUsedMiB, positions),
        threadHeapsKiB: kibPerPosition(
          heap(a) - a.heaps.main.heapUsedMiB,
          heap(b) - b.heaps.main.heapUsedMiB,
          positions,
        ),
      };
      const notHeap = outside.rssKiB - outside.mainHeapKiB - outside.threadHeapsKiB;
      const first = weighed[1];
      const firstPerPosition = kibPerPosition(idle.rssAfterGcMiB, first.rssAfterGcMiB, first.open);
      details.perPosition = { between: [a.open, b.open], ...outside, notHeapKiB: notHeap };
      rows.push({
        metric: `profile: memory per position, ${a.open} → ${b.open} OPEN`,
        unit: 'KiB',
        value: outside.rssKiB,
        baseline: `idle → ${first.open} OPEN: ${firstPerPosition} KiB a position`,
        ratio: ratio(outside.rssKiB, firstPerPosition),
        note: `main heap ${outside.mainHeapKiB}, workflow threads' heaps ${outside.threadHeapsKiB}, outside the JS heaps ${notHeap}`,
      });
    }
  } finally {
    inspector.close();
    await terminateAll(stack);
    await stack.stop();
  }
  return { rows, details };
}
