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

/** default.yaml and the shipped live example as `live.yaml`, as an operator sets up live trading. */
function liveProfileDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-live-'));
  const shipped = path.join(__dirname, '../../config');
  fs.copyFileSync(path.join(shipped, 'default.yaml'), path.join(dir, 'default.yaml'));
  fs.copyFileSync(path.join(shipped, 'live.example.yaml'), path.join(dir, 'live.yaml'));
  return dir;
}
const DEFAULT_FILE = path.resolve(__dirname, '../../config/default.yaml');

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

  it('new keys: defaults for every profile, and what the paper profile relaxes', () => {
    const dir = liveProfileDir();
    const live = loadConfig({ env: { TRADER_ENV: 'live' }, configDir: dir });
    expect(live.broker.tagSalt).toBeUndefined();
    expect(live.risk.flattenOnDailyLoss).toBe(false);
    expect(live.feed).toEqual({ staleAfterSeconds: 5, pollIntervalMs: 1000, maxTickJumpPct: 50 });
    expect(live.reconcile).toEqual({
      intervalSeconds: 60,
      orphanPolicy: 'alert',
      staleOrderMinutes: 5,
      gateEntries: true,
    });
    expect(live.exits.retryMaxSeconds).toBe(60);
    expect(live.webhook.requireCreatedAt).toBe(true);
    const paper = loadConfig({ env: {} });
    expect(paper.reconcile.gateEntries).toBe(false);
    expect(paper.webhook.requireCreatedAt).toBe(false);
  });

  it.each([
    ['desk-1:prod/a.b_c', undefined],
    ['x'.repeat(32), undefined],
    ['x'.repeat(33), 'broker.tagSalt: expected 1-32 characters'],
    ['two words', 'broker.tagSalt: expected 1-32 characters'],
    ["''", 'broker.tagSalt: expected 1-32 characters'],
  ])('broker.tagSalt %s', (raw, problem) => {
    const load = () => loadConfig({ env: { TRADER__BROKER__TAG_SALT: raw } });
    if (problem === undefined) expect(load().broker.tagSalt).toBe(raw);
    else expect(errorOf(load)).toContain(problem);
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

describe('configuration refuses keys that contradict each other', () => {
  const live = (env: NodeJS.ProcessEnv = {}) =>
    loadConfig({ env: { TRADER_ENV: 'live', ...env }, configDir: liveProfileDir() });
  const problemsOf = (fn: () => unknown) =>
    (() => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
      throw new Error('expected a ConfigError');
    })();

  it('refuses a Kite host in paper mode, naming the mode and where each came from', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          TRADER__BROKER__REST_URL: 'https://api.kite.trade',
          TRADER__BROKER__TICKER_URL: 'wss://ws.kite.trade',
        },
      }),
    );
    expect(problems).toEqual([
      'broker.restUrl: expected the paper exchange in paper mode, not a Kite host: paper trading against it would place real orders, ' +
        `got "https://api.kite.trade" (from TRADER__BROKER__REST_URL); with broker.mode "paper" (from ${DEFAULT_FILE})`,
      expect.stringMatching(/^broker\.tickerUrl: .*not a Kite host.*"wss:\/\/ws\.kite\.trade"/),
    ]);
    // Any other host in paper mode is a paper exchange elsewhere, as in docker-compose.
    expect(() =>
      loadConfig({ env: { TRADER__BROKER__REST_URL: 'http://exchange:8765' } }),
    ).not.toThrow();
  });

  it('loads the shipped live example', () => {
    expect(live().broker).toMatchObject({ mode: 'live', restUrl: 'https://api.kite.trade' });
  });

  it.each([
    ['TRADER__BROKER__REST_URL', 'http://127.0.0.1:8765', 'broker.restUrl'],
    ['TRADER__BROKER__REST_URL', 'https://localhost:8765', 'broker.restUrl'],
    ['TRADER__BROKER__REST_URL', 'https://[::1]:8765', 'broker.restUrl'],
    ['TRADER__BROKER__REST_URL', 'https://127.1.2.3', 'broker.restUrl'],
    ['TRADER__BROKER__REST_URL', 'http://exchange:8765', 'broker.restUrl'],
    ['TRADER__BROKER__TICKER_URL', 'ws://ws.kite.trade', 'broker.tickerUrl'],
  ])('refuses live mode with %s=%s, a paper exchange', (name, url, key) => {
    const problems = problemsOf(() => live({ [name]: url }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${key}: expected Kite's (https|wss):// URL`));
    expect(problems[0]).toContain(`got ${JSON.stringify(url)} (from ${name})`);
    expect(problems[0]).toMatch(/; with broker\.mode "live" \(from \S+live\.yaml\)$/);
  });

  it('refuses the always-open calendar in live mode, wherever it is set', () => {
    // The paper profile sets both calendars to always-open; switching only the mode is refused.
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          TRADER__BROKER__MODE: 'live',
          TRADER__BROKER__REST_URL: 'https://api.kite.trade',
          TRADER__BROKER__TICKER_URL: 'wss://ws.kite.trade',
        },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^session\.calendar: expected ist-hours in live mode.*got "always-open" \(from .*paper\.yaml\); with broker\.mode "live" \(from TRADER__BROKER__MODE\)$/,
      ),
      expect.stringMatching(/^exchange\.session: expected ist-hours in live mode.*paper\.yaml/),
    ]);
    expect(problemsOf(() => live({ TRADER__SESSION__CALENDAR: 'always-open' }))).toEqual([
      expect.stringMatching(/^session\.calendar: .*\(from TRADER__SESSION__CALENDAR\)/),
    ]);
  });

  it.each([
    [
      { SQUARE_OFF_AT: '15:30' },
      'session.squareOffAt: expected a time before session.close',
      'session.close "15:30"',
    ],
    [
      { SQUARE_OFF_AT: '16:00' },
      'session.squareOffAt: expected a time before session.close',
      'session.close "15:30"',
    ],
    [
      { SQUARE_OFF_AT: '09:15' },
      'session.squareOffAt: expected a time after session.open',
      'session.open "09:15"',
    ],
    [
      { NO_NEW_ENTRIES_AFTER: '15:16' },
      'session.noNewEntriesAfter: expected a time no later than session.squareOffAt',
      'session.squareOffAt "15:15"',
    ],
    [
      { OPEN: '15:30' },
      'session.open: expected a time before session.close',
      'session.close "15:30"',
    ],
  ])('refuses IST hours %j', (over, problem, related) => {
    const env = Object.fromEntries(
      Object.entries(over).map(([k, v]) => [`TRADER__SESSION__${k}`, v]),
    );
    const problems = problemsOf(() => live(env));
    expect(problems).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${problem.replace(/\./g, '\\.')}.* \\(from TRADER__SESSION__.*; with ${related} \\(from .*default\\.yaml\\)$`,
        ),
      ),
    );
  });

  it('takes entries up to the square-off itself, and any hours under the always-open calendar', () => {
    expect(live({ TRADER__SESSION__NO_NEW_ENTRIES_AFTER: '15:15' }).session.noNewEntriesAfter).toBe(
      '15:15',
    );
    // always-open reads only the square-off: a run just past it (the benchmarks') loads.
    const paper = loadConfig({
      env: { TRADER__SESSION__SQUARE_OFF_AT: '23:59', TRADER__SESSION__OPEN: '23:59' },
    });
    expect(paper.session).toMatchObject({ calendar: 'always-open', squareOffAt: '23:59' });
  });

  it('refuses a position history limit too small for one lifecycle', () => {
    expect(
      problemsOf(() => loadConfig({ env: { TRADER__TEMPORAL__POSITION_HISTORY_LIMIT: '199' } })),
    ).toEqual([
      'temporal.positionHistoryLimit: expected at least 200 events, room for one whole position lifecycle, got 199 (from TRADER__TEMPORAL__POSITION_HISTORY_LIMIT)',
    ]);
    expect(
      loadConfig({ env: { TRADER__TEMPORAL__POSITION_HISTORY_LIMIT: '200' } }).temporal
        .positionHistoryLimit,
    ).toBe(200);
  });
});
