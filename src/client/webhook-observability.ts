import type { Client } from '@temporalio/client';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../config/schema';
import { readiness, registerReadinessMetrics, temporalCheck } from '../observability/health';
import { observabilityRoutes, type Routes } from '../observability/http';

/**
 * The webhook's /metrics, /healthz and /readyz, on its own port beside
 * /signal. It only starts workflows, so Temporal is all it needs to be ready;
 * it has no broker to probe.
 */
export function webhookObservability(config: Config, client: Client): Routes {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const report = readiness({
    temporal: temporalCheck(client.connection, config.temporal.namespace),
  });
  registerReadinessMetrics(registry, report);
  return observabilityRoutes({ registry, readiness: report });
}
