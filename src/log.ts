import pino, { type Logger } from 'pino';
import {
  LogTimestamp,
  Runtime,
  makeTelemetryFilterString,
  type LogLevel,
  type LogMetadata,
  type MetricsExporterConfig,
} from '@temporalio/worker';

export type { Logger };

/** Keys whose values are secrets wherever they appear in a log object. */
const REDACT_PATHS = [
  'apiKey',
  'accessToken',
  'access_token',
  'api_key',
  'webhookSecret',
  'secret',
  'authorization',
  '*.apiKey',
  '*.accessToken',
  '*.access_token',
  '*.api_key',
  '*.webhookSecret',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'botToken',
  'password',
  'pass',
  '*.botToken',
  '*.password',
  '*.pass',
  // The Kite login: the app's secret, the one-time request token and what a session hands back.
  'apiSecret',
  'api_secret',
  'requestToken',
  'request_token',
  'checksum',
  'refresh_token',
  'public_token',
  'enctoken',
  '*.apiSecret',
  '*.api_secret',
  '*.requestToken',
  '*.request_token',
  '*.checksum',
  '*.refresh_token',
  '*.public_token',
  '*.enctoken',
];
const CENSOR = '[redacted]';

/** Shorter values are not scrubbed: they would censor ordinary words (secretValues applies the same floor). */
const MIN_SECRET_LENGTH = 6;

/** Secrets learnt after start-up, such as a renewed access token; every scrubber in the process hides them. */
const learnt = new Set<string>();

export function registerSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) learnt.add(value);
}

/** Replaces every occurrence of a known secret value, whatever key or string it hides in. */
export function scrubber(secrets: readonly string[]): <T>(value: T) => T {
  const given = secrets.filter((s) => s.length > 0);
  const walk = (value: unknown, live: readonly string[], depth: number): unknown => {
    if (typeof value === 'string')
      return live.reduce((acc, secret) => acc.split(secret).join(CENSOR), value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, live, depth + 1));
    if (value instanceof Error)
      return walk(
        { type: value.name, message: value.message, stack: value.stack },
        live,
        depth + 1,
      );
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, live, depth + 1)]));
  };
  return <T>(value: T) => {
    const live = learnt.size === 0 ? given : [...given, ...learnt];
    return live.length === 0 ? value : (walk(value, live, 0) as T);
  };
}

/**
 * When the line being written happened, if not now. The SDK hands its lines
 * (activities', workflows', Core's) over 100 - 200 ms after they were made,
 * held to be sorted with Core's; stamped on arrival, a trigger's "order
 * placed" read 150 ms after the exchange had filled it.
 */
let happenedAtMs: number | undefined;

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Secret values to scrub from every line in addition to the redacted keys. */
  secrets?: readonly string[];
  destination?: pino.DestinationStream;
}

export function createLogger({
  name,
  level = 'info',
  secrets = [],
  destination,
}: LoggerOptions): Logger {
  const scrub = scrubber(secrets);
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      timestamp: () => `,"time":${happenedAtMs ?? Date.now()}`,
      formatters: { log: (obj) => scrub(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrub(args) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Writes one of the SDK's log lines to `logger`, stamped with when the SDK made it. */
export function sdkLineWriter(logger: Logger) {
  return (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const nanos: unknown = meta?.[LogTimestamp];
    happenedAtMs = typeof nanos === 'bigint' ? Number(nanos / 1_000_000n) : undefined;
    try {
      logger[PINO_LEVEL[level]](meta ?? {}, message);
    } finally {
      happenedAtMs = undefined;
    }
  };
}

/**
 * Routes the Temporal SDK's own logs, workflow-logger lines (which carry
 * workflowId, runId and workflowType) and Core's Rust logs into pino, and
 * starts Core's metrics exporter when given one. Runtime.install may run
 * once per process, so later calls are no-ops.
 */
export function installTemporalLogging(logger: Logger, metrics?: MetricsExporterConfig): void {
  const log = sdkLineWriter(logger);
  try {
    Runtime.install({
      logger: {
        log,
        trace: (m, meta) => log('TRACE', m, meta),
        debug: (m, meta) => log('DEBUG', m, meta),
        info: (m, meta) => log('INFO', m, meta),
        warn: (m, meta) => log('WARN', m, meta),
        error: (m, meta) => log('ERROR', m, meta),
      },
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
        ...(metrics ? { metrics } : {}),
      },
    });
  } catch (err) {
    if (!/already.*install/i.test((err as Error).message)) throw err;
  }
}
