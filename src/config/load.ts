import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema';

export const ENV_PREFIX = 'TRADER__';
export const DEFAULT_CONFIG_DIR = path.resolve(__dirname, '../../config');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Tree = Record<string, unknown>;
type Sources = Map<string, string>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** YAML aliases can make a value contain itself; no configuration value does, and merging one never ends. */
function containsItself(value: unknown, ancestors: object[] = []): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (ancestors.includes(value)) return true;
  return Object.values(value).some((v) => containsItself(v, [...ancestors, value]));
}

/** `MAX_OPEN_POSITIONS` -> `maxOpenPositions`. */
export const envSegmentToKey = (segment: string): string =>
  segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `['risk', 'maxOpenPositions']` -> `TRADER__RISK__MAX_OPEN_POSITIONS`. */
export const keyPathToEnvName = (keys: string[]): string =>
  ENV_PREFIX + keys.map((k) => k.replace(/([A-Z])/g, '_$1').toUpperCase()).join('__');

function mergeInto(target: Tree, layer: Tree, source: string, sources: Sources, prefix = ''): void {
  for (const [key, value] of Object.entries(layer)) {
    const at = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) {
      if (!isTree(target[key])) {
        target[key] = {};
        // The value it replaces is gone, and with it that value's claim to be the source.
        sources.delete(at);
      }
      // An empty mapping sets no key below it, so it alone is where a problem there comes from.
      if (Object.keys(value).length === 0) sources.set(at, source);
      mergeInto(target[key] as Tree, value, source, sources, at);
    } else {
      target[key] = structuredClone(value);
      sources.set(at, source);
    }
  }
}

function readYamlLayer(file: string): Tree {
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new ConfigError([`${file}: expected a YAML mapping at the top level`]);
  if (containsItself(parsed)) {
    throw new ConfigError([`${file}: a YAML alias makes a value contain itself`]);
  }
  return parsed;
}

/** Environment overrides as one layer; each value is read as a YAML scalar so "3" is a number. */
export function envLayer(env: NodeJS.ProcessEnv): { layer: Tree; names: Map<string, string> } {
  const layer: Tree = {};
  const names = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').map(envSegmentToKey);
    let node = layer;
    for (const key of keys.slice(0, -1))
      node = (node[key] = isTree(node[key]) ? node[key] : {}) as Tree;
    let value: unknown;
    try {
      value = YAML.parse(raw);
    } catch {
      value = raw;
    }
    // Kept as text, so the schema names the key and the variable rather than the merge overflowing.
    if (containsItself(value)) value = raw;
    node[keys[keys.length - 1]] = value;
    names.set(keys.join('.'), name);
  }
  return { layer, names };
}

// Through lists too: an issue in one element names the element's value, not "nothing".
const valueAt = (tree: unknown, keys: PropertyKey[]): unknown =>
  keys.reduce<unknown>(
    (node, k) =>
      typeof node === 'object' && node !== null
        ? (node as Record<string, unknown>)[String(k)]
        : undefined,
    tree,
  );

/** Where a value came from: the layers that set it or any key under it. */
function sourceOf(at: string, sources: Sources): string | undefined {
  if (sources.has(at)) return sources.get(at);
  const layers = new Set(
    [...sources].filter(([key]) => key.startsWith(`${at}.`)).map(([, src]) => src),
  );
  if (layers.size > 0) return [...layers].join(' and ');
  // A list element has no source of its own: the list's is its.
  const parent = at.slice(0, at.lastIndexOf('.'));
  return /\.\d+$/.test(at) ? sourceOf(parent, sources) : undefined;
}

function describeIssues(error: z.ZodError, merged: Tree, sources: Sources): string[] {
  const from = (at: string) => {
    const src = sourceOf(at, sources);
    return src ? ` (from ${src})` : '';
  };
  return error.issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((k) => {
          const full = at ? `${at}.${k}` : k;
          return `${full}: unknown key${from(full)}`;
        })
        .join('\n  ');
    }
    const shown = (keys: PropertyKey[]) => {
      const value = valueAt(merged, keys);
      return value === undefined ? 'nothing' : JSON.stringify(value);
    };
    // A rule between keys blames every layer involved, not only the one it is reported on.
    const related = issue.code === 'custom' ? relatedPaths(issue.params) : [];
    const context = related.map((keys) => {
      const other = keys.join('.');
      return `; with ${other} ${shown(keys)}${from(other)}`;
    });
    return `${at || '(root)'}: ${issue.message}, got ${shown(issue.path)}${from(at)}${context.join('')}`;
  });
}

const relatedPaths = (params: Record<string, unknown> | undefined): string[][] =>
  Array.isArray(params?.related) ? (params.related as string[][]) : [];

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  configDir?: string;
}

/**
 * default.yaml, then <TRADER_ENV>.yaml (default "paper"), then TRADER__* variables.
 * Secrets never live here: see secrets.ts.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const dir = options.configDir ?? env.TRADER_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const profile = env.TRADER_ENV ?? 'paper';
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(profile)) {
    throw new ConfigError([
      `TRADER_ENV: expected a profile name such as paper or live, got ${JSON.stringify(profile)}`,
    ]);
  }
  const merged: Tree = {};
  const sources: Sources = new Map();
  const defaultFile = path.join(dir, 'default.yaml');
  mergeInto(merged, readYamlLayer(defaultFile), defaultFile, sources);
  const profileFile = path.join(dir, `${profile}.yaml`);
  if (!fs.existsSync(profileFile)) {
    throw new ConfigError([
      `TRADER_ENV: no file ${profileFile} for profile ${JSON.stringify(profile)}`,
    ]);
  }
  mergeInto(merged, readYamlLayer(profileFile), profileFile, sources);
  const { layer, names } = envLayer(env);
  mergeInto(merged, layer, 'environment', sources);
  for (const [at, src] of sources) {
    if (src !== 'environment') continue;
    const key = [...names.keys()].find(
      (k) => at === k || at.startsWith(`${k}.`) || k.startsWith(`${at}.`),
    );
    if (key) sources.set(at, names.get(key) as string);
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(result.error, merged, sources));
  return withModeDefaults(result.data);
}

/**
 * Keys whose default depends on broker.mode. A live entry on a day whose
 * holiday year is unknown is refused (a missing holiday reads as a trading
 * day); paper only warns, so a backtest or a soak run past the list goes on.
 */
export const withModeDefaults = (config: Config): Config => ({
  ...config,
  session: {
    ...config.session,
    unknownHolidayYears:
      config.session.unknownHolidayYears ?? (config.broker.mode === 'live' ? 'refuse' : 'warn'),
  },
});
