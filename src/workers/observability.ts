import type { MetricsExporterConfig } from '@temporalio/worker';
import type { Config } from '../config';
import { indexTokenOf } from '../domain/instruments';
import type { Logger } from '../log';
import {
  brokerCheck,
  feedCheck,
  readiness,
  registerReadinessMetrics,
  temporalCheck,
  tokenCheck,
  type Readiness,
} from '../observability/health';
import { observabilityRoutes, startObservabilityServer } from '../observability/http';
import { PositionCounts } from '../observability/position-counts';
import { sdkMetrics } from '../observability/sdk-metrics';
import { setTokenExpiry } from '../observability/token-expiry';
import { TradingMetrics } from '../observability/trading-metrics';
import type { TradingWorker } from './trading-worker';

export interface WorkerObservability {
  /** Give to createTradingWorker, so placeOrder counts what it does. */
  metrics: TradingMetrics;
  /** Runtime.install's telemetryOptions.metrics (installTemporalLogging's second argument). */
  sdkExporter: MetricsExporterConfig;
  /** /metrics (trading + Temporal SDK), /healthz and /readyz live under this. */
  url: string;
  /** The Temporal SDK's exporter alone, on loopback. */
  sdkUrl: string;
  /** Readiness and the gauges from the worker's own connections, once it exists. */
  attach(worker: TradingWorker): void;
  close(): Promise<void>;
}

/** Until the worker exists (bundling takes seconds) it is alive but not ready. */
const starting: Readiness = async () => ({
  ready: false,
  checks: { worker: { ok: false, detail: 'starting' } },
});

/**
 * The worker's HTTP endpoints on metrics.host:metrics.port, up before the
 * worker is built so a watchdog sees a live process while it bundles:
 * /metrics serves the trading registry followed by the Temporal SDK
 * exporter's text (proxied from metrics.temporalPort on loopback).
 */
export async function startWorkerObservability({
  config,
  logger,
}: {
  config: Config;
  logger: Logger;
}): Promise<WorkerObservability> {
  const metrics = new TradingMetrics();
  const sdk = await sdkMetrics(config.metrics.temporalPort);
  let current = starting;
  const report: Readiness = () => current();
  registerReadinessMetrics(metrics.registry, report);
  const server = await startObservabilityServer(
    config.metrics.host,
    config.metrics.port,
    observabilityRoutes({
      registry: metrics.registry,
      readiness: report,
      extraMetrics: sdk.scrape,
    }),
  );
  let counts: PositionCounts | undefined;
  logger.info(
    { url: `${server.url}/metrics`, temporalSdk: sdk.url },
    'metrics and health endpoints listening',
  );
  return {
    metrics,
    sdkExporter: sdk.exporter,
    url: server.url,
    sdkUrl: sdk.url,
    attach(worker) {
      const indexTokens = new Map(config.runner.underlyings.map((u) => [u, indexTokenOf(u)]));
      metrics.watchFeed({ hub: worker.hub, watchdog: worker.feedWatchdog, indexTokens });
      // The session's expiry moves only when a renewed token replaces it.
      const syncExpiry = () => setTokenExpiry(worker.session.token.expiresAt);
      syncExpiry();
      worker.session.on('change', syncExpiry);
      current = readiness({
        temporal: temporalCheck(worker.client.connection, config.temporal.namespace),
        broker: brokerCheck(worker.broker, String(indexTokenOf(config.runner.underlyings[0]))),
        token: tokenCheck(worker.session),
        feed: feedCheck(worker.hub, worker.feedWatchdog),
      });
      counts = new PositionCounts({
        client: worker.client,
        taskQueue: config.temporal.taskQueue,
        metrics,
        intervalMs: config.metrics.refreshSeconds * 1000,
        logger,
      });
      counts.start();
    },
    async close() {
      counts?.stop();
      await server.close();
    },
  };
}
