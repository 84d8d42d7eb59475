import { ConfigError, loadConfig, loadSecrets, secretValues } from '../config';
import { createLogger, installTemporalLogging } from '../log';
import { ensureReconciler } from '../client/reconciler';
import { startWorkerObservability } from './observability';
import { missingWorkerProcessEnv, WORKER_PROCESS_ENV } from './process-env';
import { createTradingWorker } from './trading-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  // A token file from `npx trade login` may stand in for KITE_ACCESS_TOKEN; the worker looks for it.
  const secrets = loadSecrets(config.broker.mode, process.env, {
    accessTokenOptional: config.broker.tokenFile !== undefined,
  });
  const logger = createLogger({
    name: 'worker',
    level: config.log.level,
    secrets: secretValues(secrets),
  });
  const unset = missingWorkerProcessEnv();
  if (unset.length > 0)
    logger.warn(
      { unset, expected: WORKER_PROCESS_ENV },
      'worker started without its process settings; it holds more memory per position',
    );
  const observability = await startWorkerObservability({ config, logger });
  installTemporalLogging(logger, observability.sdkExporter);
  const bundlePath = config.temporal.workflowBundle;
  const running = await createTradingWorker({
    config,
    secrets,
    logger,
    metrics: observability.metrics,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
  });
  logger.info(
    { taskQueue: config.temporal.taskQueue, broker: config.broker.restUrl },
    'worker started',
  );
  observability.attach(running);
  const reconciler = await ensureReconciler(running.client, config);
  logger.info(
    { workflowId: reconciler, every: config.reconcile.intervalSeconds },
    'reconciler running',
  );
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM by itself.
  await running.run();
  await observability.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
