import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError, keyPathToEnvName, loadConfig } from '../../../src/config/load';
import { anyValue } from './arbitraries';

const isTree = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key path of the loaded defaults, leaves and sections both: all are overridable. */
function keyPaths(tree: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(tree).flatMap(([k, v]) => [
    [...prefix, k],
    ...(isTree(v) ? keyPaths(v, [...prefix, k]) : []),
  ]);
}
const PATHS = keyPaths(loadConfig({ env: {} }));

/**
 * Text an operator might put in a variable: plain strings, JSON and YAML of
 * any shape, and YAML's sharper features (tags, anchors, aliases).
 */
const envText = fc.oneof(
  fc.string(),
  anyValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.jsonValue().map((v) => YAML.stringify(v)),
  fc.constantFrom(
    '.inf',
    '-.inf',
    '.nan',
    '~',
    '0x1F',
    '1e400',
    '!!binary aGVsbG8=',
    '!!set {a}',
    '!!timestamp 2001-12-14',
    '!!js/function "x"',
    '{a: 1, a: 2}',
    '[1, 2',
    '&a [*a]',
    '&a {x: *a}',
    '{x: &a [*a]}',
  ),
);

/** Loads, or fails with a ConfigError; anything else escapes as a failure of the property. */
function load(env: NodeJS.ProcessEnv, configDir?: string) {
  try {
    return { ok: true as const, config: loadConfig({ env, configDir }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false as const, problems: err.problems.flatMap((p) => p.split('\n  ')) };
  }
}

/** A problem has nothing to blame only when a value is missing everywhere. */
const blames = (problem: string, names: string[]) =>
  names.some((n) => problem.includes(`(from ${n})`)) || / got nothing(;|$)/.test(problem);

/** The key a problem is reported on, then the keys a rule between keys names after "; with". */
const pathsOf = (problem: string): string[] => [
  problem.slice(0, problem.indexOf(':')),
  ...[...problem.matchAll(/; with (\S+) /g)].map((m) => m[1]),
];

describe('configuration loader under bad environment values', () => {
  it('one override anywhere either loads or is a ConfigError naming the path and the variable', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), envText, (keys, raw) => {
        const name = keyPathToEnvName(keys);
        const result = load({ [name]: raw });
        if (result.ok) return;
        const at = keys.join('.');
        expect(
          result.problems.some(
            (p) => pathsOf(p).some((k) => k.startsWith(at)) && p.includes(`(from ${name})`),
          ),
        ).toBe(true);
        for (const problem of result.problems) {
          // The override reaches only its own subtree, or its siblings through a union's mode,
          // unless a rule between keys names it beside the key the problem is reported on.
          const parent = keys.slice(0, -1).join('.');
          expect(pathsOf(problem).some((k) => k.startsWith(parent))).toBe(true);
          expect(blames(problem, [name])).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
  });

  it('any set of TRADER__ variables loads or fails with a ConfigError blaming them', () => {
    // Empty segments (TRADER____X) are left out: they name an empty key, reported as a known gap.
    const segment = fc.stringMatching(/^[A-Z0-9]{1,8}(_[A-Z0-9]{1,8}){0,2}$/);
    const name = fc
      .oneof(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...PATHS).map((keys) => keyPathToEnvName(keys).slice(8).split('__')),
      )
      .map((segments) => `TRADER__${segments.join('__')}`);
    fc.assert(
      fc.property(fc.dictionary(name, envText, { maxKeys: 4 }), (env) => {
        const result = load({ ...env, PATH: '/usr/bin', TRADER_WEBHOOK_SECRET: 'x' });
        if (result.ok) return;
        for (const problem of result.problems) expect(blames(problem, Object.keys(env))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('IST hours load exactly when open < square-off < close and entries end by the square-off', () => {
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const keys = ['OPEN', 'CLOSE', 'NO_NEW_ENTRIES_AFTER', 'SQUARE_OFF_AT'] as const;
    fc.assert(
      fc.property(fc.tuple(hhmm, hhmm, hhmm, hhmm), ([open, close, cutoff, squareOff]) => {
        const names = keys.map((k) => `TRADER__SESSION__${k}`);
        const env = Object.fromEntries(
          names.map((n, i) => [n, `'${[open, close, cutoff, squareOff][i]}'`]),
        );
        const result = load({ ...env, TRADER__SESSION__CALENDAR: 'ist-hours' });
        const ordered = open < squareOff && squareOff < close && cutoff <= squareOff;
        expect(result.ok).toBe(ordered);
        for (const problem of result.ok ? [] : result.problems) {
          // Each refusal is about two of the times and blames the variable of each.
          const paths = pathsOf(problem);
          expect(paths).toHaveLength(2);
          for (const at of paths) expect(at).toMatch(/^session\./);
          expect(problem.match(/\(from TRADER__SESSION__\w+\)/g)).toHaveLength(2);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any TRADER_ENV loads a profile that exists or names TRADER_ENV', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('../paper', 'paper/', 'PAPER', '.')),
        (profile) => {
          const result = load({ TRADER_ENV: profile });
          if (result.ok) return;
          expect(result.problems).toEqual([expect.stringMatching(/^TRADER_ENV: /)]);
        },
      ),
    );
  });

  // Found by the first property: YAML aliases can make a value contain itself,
  // which overflowed the merge or the error message instead of naming the key.
  it.each(['&a [*a]', '&a {x: *a}'])('a self-referencing value %s is named, not a crash', (raw) => {
    const result = load({ TRADER__RISK__CAPITAL: raw });
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.problems[0]).toMatch(
      /^risk\.capital: .*\(from TRADER__RISK__CAPITAL\)$/,
    );
  });

  // Found by the first property: a mapping replacing a file's scalar was blamed
  // on the file, and an element of a list was "nothing" from nowhere.
  it.each([
    ['TRADER__ENV', '{}', /^env: .*, got \{\} \(from TRADER__ENV\)$/],
    ['TRADER__ENV', '{a: 1}', /^env: .* \(from TRADER__ENV\)$/],
    [
      'TRADER__RUNNER__UNDERLYINGS',
      '[NIFTY, ""]',
      /^runner\.underlyings\.1: .*, got "" \(from TRADER__RUNNER__UNDERLYINGS\)$/,
    ],
  ])('%s=%s is blamed on the variable', (name, raw, problem) => {
    expect(load({ [name]: raw })).toEqual({
      ok: false,
      problems: [expect.stringMatching(problem)],
    });
  });

  it('a config file with a self-referencing value is a ConfigError naming the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-cycle-'));
    fs.writeFileSync(path.join(dir, 'default.yaml'), 'risk: &a {x: *a}\n');
    fs.writeFileSync(path.join(dir, 'paper.yaml'), '');
    const result = load({}, dir);
    expect(result).toMatchObject({ ok: false });
    expect(!result.ok && result.problems[0]).toContain(path.join(dir, 'default.yaml'));
    fs.rmSync(dir, { recursive: true });
  });
});
