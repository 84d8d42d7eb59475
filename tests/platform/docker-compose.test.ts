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
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/\$\{\w+:-([^}]*)\}/, '$1'),
      ]),
    );
    expect(() => loadConfig({ env })).not.toThrow();
  });

  it('publishes the ports the configuration uses', () => {
    const exchangeEnv = services.exchange.environment as Record<string, unknown>;
    expect(services.exchange.ports).toContain(
      `${exchangeEnv.TRADER__EXCHANGE__PORT}:${exchangeEnv.TRADER__EXCHANGE__PORT}`,
    );
    const defaults = loadConfig({ env: {} });
    expect(services.temporal.ports).toContain(`${defaults.temporal.address.split(':')[1]}:7233`);
    expect(services['temporal-ui'].ports).toContain(`${defaults.temporal.uiPort}:8080`);
    const webhookEnv = services.webhook.environment as Record<string, unknown>;
    expect(services.webhook.ports).toContain(
      `${webhookEnv.TRADER__WEBHOOK__PORT}:${webhookEnv.TRADER__WEBHOOK__PORT}`,
    );
    const workerEnv = services.worker.environment as Record<string, string>;
    expect(workerEnv.TRADER__BROKER__REST_URL).toBe(
      `http://exchange:${exchangeEnv.TRADER__EXCHANGE__PORT}`,
    );
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
