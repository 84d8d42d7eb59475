import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

/**
 * Libraries the SDK loads once per workflow thread instead of once per
 * workflow. With a reused V8 context every cached workflow evaluates its
 * own copy of each module it imports; the bundle's entry imports every
 * workflow, so each parked position also carried the runner's indicator
 * library and the schema library. Both keep no per-workflow state (the SDK
 * freezes what it shares, so one that did would fail loudly, not leak).
 */
export const SHARED_WORKFLOW_MODULES = [
  'zod',
  'trading-signals',
  require.resolve('../config/schema'),
  require.resolve('../domain/signal'),
  require.resolve('../domain/alerts'),
];

/** The trading workflows' bundle, built the same way by the worker, the tests and the bench. */
export const bundleTradingWorkflows = (logger?: BundleOptions['logger']) =>
  bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    preloadModules: SHARED_WORKFLOW_MODULES,
    ...(logger && { logger }),
  });
