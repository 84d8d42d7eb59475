import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configKeyPaths, keyPathToEnvName, loadConfig, SECRET_ENV_NAMES } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

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
    '%s sets only real configuration keys or known secrets',
    (_name, service) => {
      for (const name of Object.keys(service.environment ?? {})) {
        if (name === 'TRADER_ENV') continue;
        const known =
          configEnvNames.has(name) || (SECRET_ENV_NAMES as readonly string[]).includes(name);
        expect({ name, known }).toEqual({ name, known: true });
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

  it('registers exactly the search attributes the workflows use', () => {
    const command = ([] as string[]).concat(services['temporal-setup'].command ?? []).join(' ');
    const registered = [...command.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => m[1]).sort();
    expect(registered).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name).sort());
  });

  it('the Dockerfile copies every directory the services need', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    for (const dir of ['config', 'src', 'bin']) {
      expect(dockerfile).toMatch(new RegExp(`COPY ${dir} `));
      expect(fs.existsSync(path.join(ROOT, dir))).toBe(true);
    }
  });
});
