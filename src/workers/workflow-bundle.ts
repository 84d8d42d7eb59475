import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

/**
 * Modules the SDK loads once per workflow thread instead of once per
 * workflow. With a reused V8 context every cached workflow evaluates its
 * own copy of each module it imports; the bundle's entry imports every
 * workflow, so each parked position also carried the runner's indicator
 * library, the schema library and every domain module with its tables (the
 * dated market facts alone about 10 KiB a position). None keeps
 * per-workflow state: the domain is pure by rule, and the SDK freezes what
 * it shares, so a module that did would fail loudly, not leak.
 */
const DOMAIN = path.resolve(__dirname, '../domain');
export const SHARED_WORKFLOW_MODULES = [
  'zod',
  'trading-signals',
  require.resolve('../config/schema'),
  ...fs
    .readdirSync(DOMAIN)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => path.join(DOMAIN, f)),
];

/**
 * The language level our workflow code is compiled to. The SDK's loader
 * compiles it for ES2017, so every object spread became a helper walking
 * the keys, and the account book copies its open positions with spreads.
 * ES2020 keeps spread, optional chaining and `??` native; class fields
 * (ES2022) are still compiled, so their initialisers keep TypeScript's order
 * after parameter properties.
 */
export const WORKFLOW_LANGUAGE_LEVEL = 'es2020';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];
interface SwcRule {
  use?: { loader?: string; options?: { jsc?: { target?: string } } };
}

const compileForLanguageLevel = (config: WebpackConfig): WebpackConfig => {
  for (const rule of (config.module?.rules ?? []) as SwcRule[]) {
    const target = rule.use?.options?.jsc;
    if (rule.use?.loader?.includes('swc-loader') && target) target.target = WORKFLOW_LANGUAGE_LEVEL;
  }
  return config;
};

/** The trading workflows' bundle, built the same way by the worker, the tests and the bench. */
export const bundleTradingWorkflows = (logger?: BundleOptions['logger']) =>
  bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    preloadModules: SHARED_WORKFLOW_MODULES,
    webpackConfigHook: compileForLanguageLevel,
    ...(logger && { logger }),
  });
