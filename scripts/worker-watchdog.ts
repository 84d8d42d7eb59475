import pino from 'pino';
import { createNotifier } from '../src/adapters/notify/notifier';
import { loadSecrets, secretValues, type Config } from '../src/config';
import { createLogger } from '../src/log';
import { HealthWatchdog, type HealthWatchdogOptions } from './health-watchdog';
import type { Supervisor } from './supervisor';

/** Where the worker's /metrics, /healthz and /readyz answer from this machine. */
export function workerHttpBase(config: Config): string {
  const { host, port } = config.metrics;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

export interface WorkerWatchdogOptions {
  config: Config;
  supervisor: Pick<Supervisor, 'running'>;
  say: (msg: string) => void;
  /** The supervisor's own pino log (alert deliveries, unhealthy episodes). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** Poll interval, timeout, misses and start-up grace; the defaults suit a real worker. */
  timing?: Pick<
    HealthWatchdogOptions,
    'intervalMs' | 'timeoutMs' | 'unhealthyAfter' | 'startupGraceMs'
  >;
}

/**
 * The `npm start` watchdog on the worker's /healthz. Alerts go straight
 * through the notifier, not the notify activity: the thing that is down may
 * be the only worker that would run that activity.
 */
export function startWorkerWatchdog({
  config,
  supervisor,
  say,
  logFile,
  env = process.env,
  timing,
}: WorkerWatchdogOptions): HealthWatchdog {
  // Only the alert channels' secrets matter here. Read as paper, so a live
  // setup whose Kite token is not in the environment still gets its alerts.
  const secrets = loadSecrets('paper', env);
  const logger = createLogger({
    name: 'supervisor',
    level: config.log.level,
    secrets: secretValues(secrets),
    destination: pino.destination({ dest: logFile, mkdir: true, sync: false }),
  });
  const notifier = createNotifier({ config, secrets, logger });
  const watchdog = new HealthWatchdog({
    name: 'worker',
    url: `${workerHttpBase(config)}/healthz`,
    current: () => supervisor.running('worker'),
    say,
    logger,
    notify: (event) => notifier.deliver(event),
    ...timing,
  });
  watchdog.start();
  return watchdog;
}
