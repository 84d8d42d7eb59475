import { sleep } from './rendezvous';

/** What the dev server did, per second, over a window: from its own Prometheus counters. */
export interface ServerRates {
  windowSeconds: number;
  /** Front-end requests by operation (heartbeats, queries, describes, polls). */
  requests: Record<string, number>;
  /** History writes and reads by persistence operation (each heartbeat is a write). */
  persistence: Record<string, number>;
  /** History queue tasks by type (a heartbeat timeout's timer is one). */
  tasks: Record<string, number>;
}

const COUNTERS = {
  requests: { name: 'service_requests', by: 'operation', where: 'service_name="frontend"' },
  persistence: { name: 'persistence_requests', by: 'operation', where: 'service_name="history"' },
  tasks: { name: 'task_requests', by: 'task_type', where: 'service_name="history"' },
} as const;

type Totals = Record<keyof typeof COUNTERS, Map<string, number>>;

async function scrape(url: string): Promise<Totals> {
  const text = await (await fetch(url)).text();
  const totals = {} as Totals;
  for (const [key, { name, by, where }] of Object.entries(COUNTERS)) {
    const sums = new Map<string, number>();
    const labelOf = new RegExp(`${by}="([^"]*)"`);
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) || !line.includes(where)) continue;
      const label = labelOf.exec(line)?.[1];
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (label) sums.set(label, (sums.get(label) ?? 0) + value);
    }
    totals[key as keyof Totals] = sums;
  }
  return totals;
}

const perSecond = (before: Map<string, number>, after: Map<string, number>, seconds: number) =>
  Object.fromEntries(
    [...after]
      .map(([k, v]) => [k, Math.round(((v - (before.get(k) ?? 0)) / seconds) * 10) / 10] as const)
      .filter(([, rate]) => rate >= 1)
      .sort((a, b) => b[1] - a[1]),
  );

/** The server's request, persistence and task rates over `windowMs`, read from `metricsUrl`. */
export async function serverRates(metricsUrl: string, windowMs: number): Promise<ServerRates> {
  const before = await scrape(metricsUrl);
  const started = Date.now();
  await sleep(windowMs);
  const after = await scrape(metricsUrl);
  const seconds = (Date.now() - started) / 1000;
  return {
    windowSeconds: Math.round(seconds * 10) / 10,
    requests: perSecond(before.requests, after.requests, seconds),
    persistence: perSecond(before.persistence, after.persistence, seconds),
    tasks: perSecond(before.tasks, after.tasks, seconds),
  };
}
