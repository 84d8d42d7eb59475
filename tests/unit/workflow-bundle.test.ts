import fs from 'node:fs';
import path from 'node:path';
import { SHARED_WORKFLOW_MODULES } from '../../src/workers/workflow-bundle';

const SRC = path.resolve(__dirname, '../../src');

/** The modules a file imports at run time (`import type` and `export type` carry no code). */
function runtimeImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const specifiers = [
    ...source.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
  ].map((m) => m[1]);
  return specifiers;
}

const resolveLocal = (from: string, specifier: string): string =>
  require.resolve(path.resolve(path.dirname(from), specifier));

/** Every file of ours reachable from `file` through run-time imports, and every package they import. */
function closure(file: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(file)) return { files, packages };
  files.add(file);
  for (const specifier of runtimeImports(file)) {
    if (specifier.startsWith('.')) closure(resolveLocal(file, specifier), files, packages);
    else packages.add(specifier);
  }
  return { files, packages };
}

/**
 * The SDK evaluates a shared module once per workflow thread and hands the
 * same instance to every workflow, frozen. That is only sound for modules
 * that hold no per-workflow state: none of them may reach the workflow API
 * or our workflow code, only the pure domain and the config schema.
 */
describe('modules shared by every workflow in a thread', () => {
  const ours = SHARED_WORKFLOW_MODULES.filter((m) => path.isAbsolute(m));

  it('include our schema modules, by path inside src', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const file of ours) expect(file.startsWith(SRC)).toBe(true);
  });

  it.each(ours.map((f) => [path.relative(SRC, f), f]))(
    '%s reaches neither the workflow API nor workflow code',
    (_name, file) => {
      const { files, packages } = closure(file);
      const outside = [...files]
        .map((f) => path.relative(SRC, f))
        .filter((f) => !/^(domain|config)\//.test(f));
      expect(outside).toEqual([]);
      expect([...packages].filter((p) => p.startsWith('@temporalio/'))).toEqual([]);
      expect([...packages].every((p) => SHARED_WORKFLOW_MODULES.includes(p))).toBe(true);
    },
  );

  it('sees through a run-time import that the check must follow', () => {
    const { files } = closure(path.join(SRC, 'domain/signal.ts'));
    expect([...files].map((f) => path.relative(SRC, f))).toContain('config/schema.ts');
  });
});

/**
 * The bundle every test's worker runs (built once by the global setup, the
 * way the worker builds it). Compiled for ES2017, as the SDK's loader does
 * unless told otherwise, each of our object spreads becomes a call to a
 * helper; an SDK upgrade that stops the hook from reaching its loader shows here.
 */
describe('the workflow bundle', () => {
  const code = fs.readFileSync(process.env.TEMPORAL_TEST_BUNDLE!, 'utf8');
  const ours = (marker: string) => code.includes(marker);

  it('holds our workflow code', () => {
    expect(ours('function accountWorkflow(')).toBe(true);
  });

  it('keeps object spread native', () => {
    expect(code.match(/_object_spread(_props)?\(/g) ?? []).toEqual([]);
  });
});
