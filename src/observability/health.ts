import type { ConnectionLike } from '@temporalio/client';
import { Gauge, type Registry } from 'prom-client';
import type { KiteBroker } from '../adapters/kite/client';
import { BrokerAuthError } from '../adapters/kite/errors';
import type { FeedWatchdog } from '../adapters/kite/feed-watchdog';
import type { TickHub } from '../adapters/kite/tick-hub';
import type { BrokerSession } from '../workers/broker-session';
import { METRICS } from './metric-names';

export interface CheckResult {
  ok: boolean;
  /** What was found, for a person reading /readyz; never a credential. */
  detail: string;
}
export type Check = () => Promise<CheckResult>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult>;
}
export type Readiness = () => Promise<ReadinessReport>;

/** A check that does not answer within this is failed, so /readyz itself never hangs. */
const CHECK_TIMEOUT_MS = 3_000;

const failed = (err: unknown): CheckResult => ({
  ok: false,
  detail: err instanceof Error ? err.message : String(err),
});

function withTimeout(check: Check, timeoutMs: number): Check {
  return () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
        timeoutMs,
      );
    });
    return Promise.race([check().catch(failed), late]).finally(() => clearTimeout(timer));
  };
}

/** Reuses one result for `ttlMs`, and one in-flight run for every caller meanwhile. */
export function cached<T>(run: () => Promise<T>, ttlMs: number, now = Date.now): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const t = now();
    if (!last || t - last.at >= ttlMs) last = { at: t, value: run() };
    return last.value;
  };
}

/** Every check, concurrently; ready only when all pass. */
export function readiness(checks: Record<string, Check>, ttlMs = 1_000): Readiness {
  const guarded = Object.entries(checks).map(
    ([name, check]) => [name, withTimeout(check, CHECK_TIMEOUT_MS)] as const,
  );
  return cached(async () => {
    const results = await Promise.all(guarded.map(([, check]) => check()));
    const report = Object.fromEntries(guarded.map(([name], i) => [name, results[i]]));
    return { ready: results.every((r) => r.ok), checks: report };
  }, ttlMs);
}

/** The Temporal frontend answers for the namespace this process works in. */
export const temporalCheck =
  (connection: ConnectionLike, namespace: string): Check =>
  async () => {
    await connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    return { ok: true, detail: `namespace ${namespace} answers` };
  };

/**
 * One cheap authenticated REST call (an index LTP), cached for `ttlMs` so
 * probes never eat into Kite's 10 requests/s. A TokenException is an answer:
 * the broker is reachable, and the token check (the session) says the rest.
 */
export function brokerCheck(
  broker: Pick<KiteBroker, 'getLtp'>,
  instrumentKey: string,
  ttlMs = 5_000,
  now = Date.now,
): Check {
  return cached(
    async () => {
      try {
        await broker.getLtp([instrumentKey]);
        return { ok: true, detail: 'REST answers' };
      } catch (err) {
        const detail = (err as Error).message;
        if (err instanceof BrokerAuthError) return { ok: true, detail: `answers: ${detail}` };
        return { ok: false, detail };
      }
    },
    ttlMs,
    now,
  );
}

/** Ready while the session is valid or only expiring; expired or refused by the broker, not. */
export const tokenCheck =
  (session: Pick<BrokerSession, 'state' | 'view'>): Check =>
  async () => {
    const state = session.state();
    const { expiresAt } = session.view();
    const until =
      expiresAt === undefined ? 'expiry unknown' : `expires ${new Date(expiresAt).toISOString()}`;
    return { ok: state === 'valid' || state === 'expiring', detail: `${state}, ${until}` };
  };

/** The ticker is connected and no watched token has gone quiet. */
export const feedCheck =
  (hub: Pick<TickHub, 'isConnected'>, watchdog: Pick<FeedWatchdog, 'stale'>): Check =>
  async () => {
    if (!hub.isConnected) return { ok: false, detail: 'ticker disconnected' };
    const stale = [...watchdog.stale.keys()];
    if (stale.length > 0)
      return { ok: false, detail: `no ticks for watched tokens ${stale.join(', ')}` };
    return { ok: true, detail: 'ticker connected, every watched token ticking' };
  };

/** trader_ready and trader_check_ok{check}, read from the same report /readyz serves. */
export function registerReadinessMetrics(registry: Registry, report: Readiness): void {
  const registers = [registry];
  new Gauge({
    name: METRICS.ready,
    help: '1 while every readiness check passes (/readyz answers 200)',
    registers,
    async collect() {
      this.set((await report()).ready ? 1 : 0);
    },
  });
  new Gauge({
    name: METRICS.checkOk,
    help: '1 while the named readiness check passes',
    labelNames: ['check'],
    registers,
    async collect() {
      for (const [check, result] of Object.entries((await report()).checks))
        this.set({ check }, result.ok ? 1 : 0);
    },
  });
}
