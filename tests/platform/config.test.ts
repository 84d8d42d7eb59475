import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, loadSecrets, MissingSecretError } from '../../src/config';

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration loader', () => {
  it('loads the paper profile by default', () => {
    const config = loadConfig({ env: {} });
    expect(config.env).toBe('paper');
    expect(config.broker.mode).toBe('paper');
    expect(config.exchange.session).toBe('always-open');
  });

  it('applies TRADER__ overrides as typed values', () => {
    const config = loadConfig({
      env: { TRADER__RISK__MAX_OPEN_POSITIONS: '7', TRADER__EXCHANGE__CONTROL__ENABLED: 'false' },
    });
    expect(config.risk.maxOpenPositions).toBe(7);
    expect(config.exchange.control.enabled).toBe(false);
  });

  it('names the path, the expectation, the value and its source when a value is invalid', () => {
    expect(
      errorOf(() => loadConfig({ env: { TRADER__RISK__MAX_OPEN_POSITIONS: 'three' } })),
    ).toContain(
      'risk.maxOpenPositions: expected a positive integer, got "three" (from TRADER__RISK__MAX_OPEN_POSITIONS)',
    );
  });

  it('rejects unknown keys, naming the variable that introduced them', () => {
    expect(errorOf(() => loadConfig({ env: { TRADER__RISK__MAX_OPEN_POSITONS: '3' } }))).toContain(
      'risk.maxOpenPositons: unknown key (from TRADER__RISK__MAX_OPEN_POSITONS)',
    );
  });

  it('reports every problem of an invalid file at once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-'));
    fs.copyFileSync(
      path.join(__dirname, '../../config/default.yaml'),
      path.join(dir, 'default.yaml'),
    );
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      'session:\n  squareOffAt: "25:00"\nexits:\n  stopLoss: { points: 10, pct: 5 }\nbroker:\n  apiKey: abc\n',
    );
    const message = errorOf(() => loadConfig({ env: { TRADER_ENV: 'bad' }, configDir: dir }));
    expect(message).toContain(
      'session.squareOffAt: expected a time as HH:MM (IST, 24-hour), got "25:00"',
    );
    expect(message).toContain('exits.stopLoss: expected exactly one of points or pct');
    // A secret in a file is refused: the schema has no place for it.
    expect(message).toContain('broker.apiKey: unknown key');
  });

  it('refuses a profile that does not exist', () => {
    expect(errorOf(() => loadConfig({ env: { TRADER_ENV: 'nope' } }))).toMatch(
      /TRADER_ENV: no file .*nope\.yaml/,
    );
  });

  it('reads secrets only from the environment and demands them for live trading', () => {
    expect(
      loadSecrets('live', { KITE_API_KEY: 'k1234567', KITE_ACCESS_TOKEN: 't1234567' }),
    ).toMatchObject({ kiteApiKey: 'k1234567' });
    expect(() => loadSecrets('live', { KITE_API_KEY: 'k1234567' })).toThrow(MissingSecretError);
    expect(() => loadSecrets('live', {})).toThrow(/KITE_API_KEY and KITE_ACCESS_TOKEN are not set/);
    expect(loadSecrets('paper', {}).kiteApiKey).toBe('paper_api_key');
  });
});
