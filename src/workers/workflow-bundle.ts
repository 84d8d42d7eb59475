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

/** The trading workflows' bundle, built the same way by the worker, the tests and the bench. */
export const bundleTradingWorkflows = (logger?: BundleOptions['logger']) =>
  bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    preloadModules: SHARED_WORKFLOW_MODULES,
    ...(logger && { logger }),
  });
