import fs from 'node:fs';
import type { InspectorTarget } from './inspector';
import { sleep } from './rendezvous';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's time went: a package, a directory of ours, Node itself, or V8's own states. */
export function categoryOf({ functionName, url }: ProfileNode['callFrame']): string {
  if (functionName.startsWith('(')) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(src\/[^/]+|bench|tests)\//.exec(url)?.[1];
  if (ours) return ours;
  if (/workflow-bundle|\.bundle/.test(url)) return 'workflow bundle';
  return url === '' ? '(native)' : url;
}

export interface ProfileSummary {
  /** Sampled wall time of the profile, ms. */
  wallMs: number;
  /** Time on the CPU (everything but `(idle)`), percent of the wall time. */
  busyPct: number;
  /** Self time by category, percent of the wall time, largest first. */
  byCategory: [string, number][];
  /** The functions with the most self time, percent of the wall time. */
  topFunctions: [string, number][];
}

const pct = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;

/** Self time from the samples: each sample's delta is charged to the function it landed in. */
export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const dt = profile.timeDeltas[i] ?? 0;
    const category = categoryOf(frame);
    byCategory.set(category, (byCategory.get(category) ?? 0) + dt);
    const where = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + dt);
  });
  const wall = profile.endTime - profile.startTime;
  const ranked = (m: Map<string, number>, n: number): [string, number][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, pct(v, wall)]);
  return {
    wallMs: Math.round(wall / 1000),
    busyPct: Math.round(100 - pct(byCategory.get('(idle)') ?? 0, wall)),
    byCategory: ranked(byCategory, 15),
    topFunctions: ranked(new Map([...byFunction].filter(([k]) => !k.startsWith('(idle)'))), top),
  };
}

export interface BusyStretch {
  /** From the profile's start, ms. */
  atMs: number;
  ms: number;
  /** Self time by category within the stretch, ms, largest first. */
  byCategory: [string, number][];
}

/**
 * Each sample's frame, its time from the profile's start and its length
 * (ms): the time until the next sample, as DevTools reads it, so the gap
 * before the first sample is nobody's.
 */
function forEachSampleSpan(
  profile: CpuProfile,
  fn: (frame: ProfileNode['callFrame'], atMs: number, ms: number) => void,
): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let at = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    fn(byId.get(id)!.callFrame, at, ms);
    at += ms;
  });
}

/**
 * Runs of samples with no `(idle)` among them: the event loop did not wait
 * for anything in between, so work that came due inside a stretch waited for
 * up to the rest of it.
 */
export function busyStretches(profile: CpuProfile, minMs: number): BusyStretch[] {
  const out: BusyStretch[] = [];
  let current: { atMs: number; ms: number; byCategory: Map<string, number> } | undefined;
  const close = () => {
    if (current && current.ms >= minMs)
      out.push({
        atMs: Math.round(current.atMs),
        ms: Math.round(current.ms),
        byCategory: [...current.byCategory]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => [k, Math.round(v)]),
      });
    current = undefined;
  };
  forEachSampleSpan(profile, (frame, atMs, ms) => {
    if (frame.functionName === '(idle)') return close();
    current ??= { atMs, ms: 0, byCategory: new Map() };
    current.ms += ms;
    const category = categoryOf(frame);
    current.byCategory.set(category, (current.byCategory.get(category) ?? 0) + ms);
  });
  close();
  return out;
}

/** Busy ms in each whole second of the profile. */
export function busyBySecond(profile: CpuProfile): number[] {
  const seconds: number[] = [];
  forEachSampleSpan(profile, ({ functionName }, atMs, ms) => {
    const second = Math.floor(atMs / 1000);
    seconds[second] = (seconds[second] ?? 0) + (functionName === '(idle)' ? 0 : ms);
  });
  return Array.from(seconds, (ms = 0) => Math.round(ms));
}

/** Starts V8's CPU profiler in one isolate; the returned function stops it, keeps the profile at `file` for DevTools and summarises it. */
export async function startCpuProfile(
  target: InspectorTarget,
  file: string,
): Promise<() => Promise<ProfileSummary>> {
  await target.send('Profiler.enable');
  await target.send('Profiler.start');
  return async () => {
    const { profile } = await target.send<{ profile: CpuProfile }>('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    return summarizeProfile(profile);
  };
}

/** A CPU profile of one isolate over `windowMs`. */
export async function profileCpu(
  target: InspectorTarget,
  windowMs: number,
  file: string,
): Promise<ProfileSummary> {
  const stop = await startCpuProfile(target, file);
  await sleep(windowMs);
  return stop();
}

export interface IsolateMemory {
  /** After a full GC: what the isolate's objects hold, MiB. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** Memory of ArrayBuffers and native objects tied to this isolate's JS objects, MiB. */
  externalMiB: number;
}

/** The isolate's own heap after a full collection, read inside it. */
export async function isolateMemory(target: InspectorTarget): Promise<IsolateMemory> {
  await target.send('HeapProfiler.collectGarbage');
  const { result } = await target.send<{ result: { value: string } }>('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  });
  const m = JSON.parse(result.value) as { heapUsed: number; heapTotal: number; external: number };
  const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
  return {
    heapUsedMiB: mib(m.heapUsed),
    heapTotalMiB: mib(m.heapTotal),
    externalMiB: mib(m.external),
  };
}

interface SamplingNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: SamplingNode[];
}

export interface RetainedSummary {
  /** Sampled bytes still alive when sampling stopped, MiB. */
  retainedMiB: number;
  /** By category of the allocating function, MiB, largest first. */
  byCategory: [string, number][];
  /** The allocating functions holding the most, MiB. */
  topFunctions: [string, number][];
}

/**
 * Starts V8's sampling heap profiler in `target`; the returned function stops
 * it and says which code allocated what is still alive (after the collection
 * `isolateMemory` forces), so growth between two sizes has an address.
 */
export async function sampleRetained(
  target: InspectorTarget,
): Promise<(top?: number) => Promise<RetainedSummary>> {
  await target.send('HeapProfiler.enable');
  await target.send('HeapProfiler.startSampling', { samplingInterval: 16_384 });
  return async (top = 12) => {
    const { profile } = await target.send<{ profile: { head: SamplingNode } }>(
      'HeapProfiler.stopSampling',
    );
    const byCategory = new Map<string, number>();
    const byFunction = new Map<string, number>();
    const walk = (node: SamplingNode) => {
      const category = categoryOf(node.callFrame);
      byCategory.set(category, (byCategory.get(category) ?? 0) + node.selfSize);
      const { functionName, url, lineNumber } = node.callFrame;
      const where = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize);
      node.children.forEach(walk);
    };
    walk(profile.head);
    const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    const ranked = (m: Map<string, number>, n: number): [string, number][] =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => [k, mib(v)]);
    return {
      retainedMiB: mib([...byCategory.values()].reduce((a, b) => a + b, 0)),
      byCategory: ranked(byCategory, 12),
      topFunctions: ranked(byFunction, top),
    };
  };
}
