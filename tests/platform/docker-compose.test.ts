import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configKeyPaths, keyPathToEnvName, loadConfig, SECRET_ENV_NAMES } from '../../src/config';
import { readiness, registerReadinessMetrics } from '../../src/observability/health';
import { METRIC_NAMES, TEMPORAL_SDK_METRIC_NAMES } from '../../src/observability/metric-names';
import { TradingMetrics } from '../../src/observability/trading-metrics';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../scripts/temporal-server-settings';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { WORKER_PROCESS_ENV } from '../../src/workers/process-env';

const ROOT = path.resolve(__dirname, '../..');
const compose = YAML.parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
});
const scripts: Record<string, string> = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).scripts;
type Service = {
  build?: string;
  command?: string[] | string;
  environment?: Record<string, unknown>;
  ports?: string[];
};
const services: Record<string, Service> = compose.services;
const ourServices = Object.entries(services).filter(([, s]) => s.build !== undefined);
const configEnvNames = new Set(configKeyPaths().map(keyPathToEnvName));
const WEBHOOK_SECRET = 'compose-test-secret';

/**
 * A service's environment as compose would hand it over with only
 * TRADER_WEBHOOK_SECRET exported: `${VAR:-default}` takes its default,
 * `${VAR:?message}` stops compose with the message when VAR is unset.
 */
function environmentOf(
  service: Service,
  shell: Record<string, string> = { TRADER_WEBHOOK_SECRET: WEBHOOK_SECRET },
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [
      k,
      String(v).replace(
        /\$\{(\w+):([-?])([^}]*)\}/g,
        (_, name: string, op: string, rest: string) => {
          if (shell[name]) return shell[name];
          if (op === '-') return rest;
          throw new Error(rest);
        },
      ),
    ]),
  );
}
/** `127.0.0.1:8765:8765` -> the host port and the container port. */
const published = (service: Service) =>
  (service.ports ?? []).map((p) => {
    const [host, hostPort, containerPort] = p.split(':');
    return { host, hostPort: Number(hostPort), containerPort: Number(containerPort) };
  });

describe('docker-compose.yml matches the code', () => {
  it('describes Temporal with PostgreSQL, the Web UI, the worker, the exchange and the webhook', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal',
        'temporal-ui',
        'worker',
        'exchange',
        'webhook',
      ]),
    );
    expect(services.temporal.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'postgresql',
    });
  });

  it.each(ourServices)('%s runs a real npm script whose entry point exists', (_name, service) => {
    const command = service.command as string[];
    expect(command.slice(0, 2)).toEqual(['npm', 'run']);
    const script = scripts[command[2]];
    expect(script).toBeDefined();
    for (const file of script.match(/\S+\.ts\b/g) ?? [])
      expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });

  it.each(ourServices)(
    '%s sets only real configuration keys, known secrets or the worker process settings',
    (name, service) => {
      const processSettings = name === 'worker' ? Object.keys(WORKER_PROCESS_ENV) : [];
      for (const key of Object.keys(service.environment ?? {})) {
        if (key === 'TRADER_ENV' || processSettings.includes(key)) continue;
        const known =
          configEnvNames.has(key) || (SECRET_ENV_NAMES as readonly string[]).includes(key);
        expect({ key, known }).toEqual({ key, known: true });
      }
    },
  );

  it.each(ourServices)('%s environment forms a valid configuration', (_name, service) => {
    expect(() => loadConfig({ env: environmentOf(service) })).not.toThrow();
  });

  it('publishes the ports the configuration uses', () => {
    const exchangeEnv = environmentOf(services.exchange);
    const exchangePort = Number(exchangeEnv.TRADER__EXCHANGE__PORT);
    expect(published(services.exchange)).toContainEqual(
      expect.objectContaining({ hostPort: exchangePort, containerPort: exchangePort }),
    );
    const defaults = loadConfig({ env: {} });
    expect(published(services.temporal)).toContainEqual(
      expect.objectContaining({
        hostPort: Number(defaults.temporal.address.split(':')[1]),
        containerPort: 7233,
      }),
    );
    expect(published(services['temporal-ui'])).toContainEqual(
      expect.objectContaining({ hostPort: defaults.temporal.uiPort, containerPort: 8080 }),
    );
    const webhookPort = Number(environmentOf(services.webhook).TRADER__WEBHOOK__PORT);
    expect(published(services.webhook)).toContainEqual(
      expect.objectContaining({ hostPort: webhookPort, containerPort: webhookPort }),
    );
    const workerEnv = environmentOf(services.worker);
    expect(workerEnv.TRADER__BROKER__REST_URL).toBe(
      `http://exchange:${exchangeEnv.TRADER__EXCHANGE__PORT}`,
    );
  });

  it('binds every published port to 127.0.0.1', () => {
    const ports = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((port) => ({ name, port })),
    );
    expect(ports.length).toBeGreaterThanOrEqual(4);
    for (const { name, port } of ports) {
      expect({ name, port }).toEqual({
        name,
        port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/),
      });
    }
  });

  it("turns the exchange's /_control off, whatever the paper profile says", () => {
    expect(loadConfig({ env: {} }).exchange.control.enabled).toBe(true);
    expect(loadConfig({ env: environmentOf(services.exchange) }).exchange.control.enabled).toBe(
      false,
    );
  });

  it('gives Kite credentials to the worker and the exchange, never to the webhook', () => {
    const credentials = ['KITE_API_KEY', 'KITE_ACCESS_TOKEN'];
    for (const name of ['worker', 'exchange'])
      expect(Object.keys(environmentOf(services[name]))).toEqual(
        expect.arrayContaining(credentials),
      );
    for (const [name, service] of Object.entries(services)) {
      if (name === 'worker' || name === 'exchange') continue;
      const leaked = Object.keys(service.environment ?? {}).filter((k) => credentials.includes(k));
      expect({ name, leaked }).toEqual({ name, leaked: [] });
    }
  });

  it('will not start the published webhook without TRADER_WEBHOOK_SECRET', () => {
    expect(() => environmentOf(services.webhook, {})).toThrow('set TRADER_WEBHOOK_SECRET');
    expect(environmentOf(services.webhook).TRADER_WEBHOOK_SECRET).toBe(WEBHOOK_SECRET);
    // The other services never need it.
    for (const [, service] of ourServices.filter(([name]) => name !== 'webhook'))
      expect(() => environmentOf(service, {})).not.toThrow();
  });

  it('runs the Temporal server with the settings npm start and the tests use', () => {
    const temporal = compose.services.temporal;
    const inContainer = `/etc/temporal/${temporal.environment.DYNAMIC_CONFIG_FILE_PATH}`;
    const mount = (temporal.volumes as string[])
      .map((v) => v.split(':'))
      .find(([, to]) => to === inContainer);
    expect(mount).toBeDefined();
    const file = YAML.parse(fs.readFileSync(path.join(ROOT, mount![0]), 'utf8')) as Record<
      string,
      { value: unknown; constraints?: unknown }[]
    >;
    // One unconstrained value per key, so it applies to every namespace and task queue.
    const values = Object.fromEntries(
      Object.entries(file).map(([key, entries]) => {
        expect(entries).toHaveLength(1);
        expect(entries[0].constraints).toBeUndefined();
        return [key, entries[0].value];
      }),
    );
    expect(values).toEqual(TEMPORAL_DYNAMIC_CONFIG);
  });

  it("bench/postgres runs compose's Temporal outside Docker: its version, shards, connections and dynamic config", () => {
    const temporal = compose.services.temporal;
    const tag = String(temporal.image).split(':')[1];
    const script = fs.readFileSync(path.join(ROOT, 'bench/postgres/start.sh'), 'utf8');
    expect(/^VERSION=(\S+)/m.exec(script)?.[1]).toBe(tag);
    const server = YAML.parse(
      fs.readFileSync(path.join(ROOT, 'bench/postgres/development.yaml'), 'utf8'),
    );
    // compose sets none of these, so auto-setup's defaults (4 shards, 20 connections) hold there.
    for (const name of ['NUM_HISTORY_SHARDS', 'SQL_MAX_CONNS', 'SQL_VIS_MAX_CONNS'])
      expect(temporal.environment).not.toHaveProperty(name);
    expect(server.persistence.numHistoryShards).toBe(4);
    expect(server.persistence.datastores['postgres-default'].sql.maxConns).toBe(20);
    expect(server.persistence.datastores['postgres-visibility'].sql.maxConns).toBe(10);
    const mounted = (temporal.volumes as string[]).map((v) => path.normalize(v.split(':')[0]));
    expect(mounted).toContain(path.normalize(server.dynamicConfigClient.filepath));
  });

  it('registers exactly the search attributes the workflows use', () => {
    const command = ([] as string[]).concat(services['temporal-setup'].command ?? []).join(' ');
    const registered = [...command.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => m[1]).sort();
    expect(registered).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name).sort());
  });

  it("starts the worker with its process settings (allocator, V8's young generation)", () => {
    expect(environmentOf(services.worker)).toMatchObject(WORKER_PROCESS_ENV);
  });

  it('the Dockerfile copies every directory the services need', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    for (const dir of ['config', 'src', 'bin']) {
      expect(dockerfile).toMatch(new RegExp(`COPY ${dir} `));
      expect(fs.existsSync(path.join(ROOT, dir))).toBe(true);
    }
  });
});

describe('Prometheus, Grafana and the health checks match the code', () => {
  const deploy = (file: string) => path.join(ROOT, 'deploy', file);
  const readYaml = (file: string) => YAML.parse(fs.readFileSync(deploy(file), 'utf8'));
  type Source = { datasource?: { uid: string } };
  type Panel = Source & { type: string; panels?: Panel[]; targets?: (Source & { expr: string })[] };
  const dashboard: { panels: Panel[] } = JSON.parse(
    fs.readFileSync(deploy('grafana/dashboards/trader.json'), 'utf8'),
  );
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  /** Series Prometheus makes itself for every target. */
  const PROMETHEUS_OWN = ['up'];
  const exported = new Set([...METRIC_NAMES, ...TEMPORAL_SDK_METRIC_NAMES, ...PROMETHEUS_OWN]);
  /** A histogram's series are its family name plus _bucket, _sum or _count. */
  const familyOf = (series: string) =>
    exported.has(series) ? series : series.replace(/_(bucket|sum|count)$/, '');

  /** The metric names a PromQL expression reads: identifiers that are not functions, labels or keywords. */
  function metricNames(expr: string): string[] {
    const bare = expr
      .replace(/"(?:[^"\\]|\\.)*"/g, '""')
      .replace(/\{[^}]*\}/g, '')
      .replace(/\[[^\]]*\]/g, '')
      .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
    const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
    return [...bare.matchAll(/[a-zA-Z_:][\w:]*(?![\w:]|\s*\()/g)]
      .map((m) => m[0])
      .filter((name) => !keywords.has(name.toLowerCase()));
  }

  const workerEnv = environmentOf(services.worker);
  const workerConfig = loadConfig({ env: workerEnv });
  const webhookPort = loadConfig({ env: environmentOf(services.webhook) }).webhook.port;

  it('the exported metric-name list is exactly what the worker registers', async () => {
    const metrics = new TradingMetrics();
    registerReadinessMetrics(metrics.registry, readiness({}));
    const registered = metrics.registry
      .getMetricsAsArray()
      .map((m) => m.name)
      .filter((name) => name.startsWith('trader_'));
    expect(registered.sort()).toEqual([...METRIC_NAMES].sort());
    expect(TEMPORAL_SDK_METRIC_NAMES.every((n) => n.startsWith('temporal_'))).toBe(true);
  });

  it('every dashboard query reads only metrics the code exports', () => {
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect({ expr, names: names.length > 0 }).toEqual({ expr, names: true });
      const unknown = names.filter((n) => !exported.has(familyOf(n)));
      expect({ expr, unknown }).toEqual({ expr, unknown: [] });
    }
  });

  it('the dashboard shows every trading metric', () => {
    const shown = new Set(exprs.flatMap(metricNames).map(familyOf));
    const missing = METRIC_NAMES.filter((name) => !shown.has(name));
    expect(missing).toEqual([]);
  });

  it('the name check itself tells metrics from functions, labels and ranges', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, job) (rate(trader_tick_to_exit_seconds_bucket{job="worker"}[5m]))) > bool up',
      ),
    ).toEqual(['trader_tick_to_exit_seconds_bucket', 'up']);
  });

  it('Prometheus scrapes the worker and the webhook on the ports their configuration uses', () => {
    const { scrape_configs: jobs } = readYaml('prometheus.yml') as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      jobs.map((j) => [j.job_name, j.static_configs.flatMap((s) => s.targets)]),
    );
    expect(targets).toEqual({
      worker: [`worker:${workerConfig.metrics.port}`],
      webhook: [`webhook:${webhookPort}`],
    });
    // Reachable from the prometheus container, and from the host on loopback only.
    expect(workerConfig.metrics.host).toBe('0.0.0.0');
    expect(published(services.worker)).toContainEqual(
      expect.objectContaining({
        hostPort: workerConfig.metrics.port,
        containerPort: workerConfig.metrics.port,
      }),
    );
  });

  it("compose's healthchecks ask the worker's and the webhook's own /healthz", () => {
    const testOf = (name: string) =>
      ([] as string[]).concat(compose.services[name].healthcheck.test).join(' ');
    expect(testOf('worker')).toContain(`http://127.0.0.1:${workerConfig.metrics.port}/healthz`);
    expect(testOf('webhook')).toContain(`http://127.0.0.1:${webhookPort}/healthz`);
  });

  it('Prometheus and Grafana load the files in deploy/', () => {
    const mounts = (name: string) =>
      (compose.services[name].volumes as string[])
        .filter((v) => v.startsWith('./'))
        .map((v) => {
          const [from, to] = v.split(':');
          return { from: path.join(ROOT, from), to };
        });
    for (const name of ['prometheus', 'grafana'])
      for (const { from } of mounts(name)) expect(fs.existsSync(from)).toBe(true);
    expect(mounts('prometheus')).toContainEqual({
      from: deploy('prometheus.yml'),
      to: '/etc/prometheus/prometheus.yml',
    });
    const provider = readYaml('grafana/provisioning/dashboards/trader.yml').providers[0];
    expect(mounts('grafana')).toContainEqual({
      from: deploy('grafana/dashboards'),
      to: provider.options.path,
    });
    const datasource = readYaml('grafana/provisioning/datasources/prometheus.yml').datasources[0];
    expect(datasource.url).toBe('http://prometheus:9090');
    const queried = panels
      .filter((p) => p.type !== 'row')
      .flatMap((p) => [p, ...(p.targets ?? [])])
      .map((s) => s.datasource?.uid);
    expect(new Set(queried)).toEqual(new Set([datasource.uid]));
  });
});
