import fs from 'node:fs';

/** The worker's /metrics URL, from the line it logs once listening. */
export function metricsUrlOf(logFile: string): string {
  const url = /"url":"(http:[^"]+\/metrics)"/.exec(fs.readFileSync(logFile, 'utf8'))?.[1];
  if (!url) throw new Error(`no metrics URL in ${logFile}`);
  return url;
}

/** Each Temporal SDK series summed over its labels but the workflow type, by `name{workflow_type}`. */
export async function scrapeSdkSeries(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(temporal_\w+)(?:\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1].endsWith('_bucket')) continue;
    const type = /workflow_type="([^"]+)"/.exec(m[2] ?? '')?.[1];
    const key = type ? `${m[1]}{${type}}` : m[1];
    series.set(key, (series.get(key) ?? 0) + Number(m[3]));
  }
  return series;
}

/**
 * What the SDK did between two scrapes, per second: workflow tasks, replays,
 * cache hits and misses, polls, the series that tell a worker doing work
 * from one re-doing it. Gauges (the cache size, slots) are given as read last.
 */
export function sdkRates(
  before: Map<string, number>,
  after: Map<string, number>,
  seconds: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    if (/sticky_cache_size|slots_available|slots_used|num_pollers/.test(key)) {
      out[key] = value;
      continue;
    }
    // Counters, and histograms' _count and _sum (a _sum per second is time spent per second).
    const rate = (value - (before.get(key) ?? 0)) / seconds;
    if (rate > 0) out[key] = Math.round(rate * 100) / 100;
  }
  return out;
}

/**
 * The worker's event-loop lag (prom-client's percentiles since the last
 * scrape, which resets them) and time in garbage collection by kind, as
 * `name{labels}` → value.
 */
export async function scrapeNodeSeries(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(nodejs_(?:eventloop_lag_\w+|gc_duration_seconds_(?:sum|count))\S*)\s+(\S+)$/.exec(
      line,
    );
    if (m) series.set(m[1], Number(m[2]));
  }
  return series;
}

/** Between two scrapes: the loop's lag percentiles (ms) over the window, and GC ms and runs by kind. */
export function nodeActivity(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of after) {
    const ms = (v: number) => Math.round(v * 1e4) / 10;
    if (key.startsWith('nodejs_eventloop_lag_')) out[key] = ms(value);
    else if (key.includes('_sum')) out[key] = ms(value - (before.get(key) ?? 0));
    else out[key] = value - (before.get(key) ?? 0);
  }
  return out;
}
