import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

/**
 * Histories recorded by earlier workflow code, kept as they were: they prove
 * that every `patched()` branch a change added still replays the workflows
 * that were running when it landed.
 */
export const LEGACY_HISTORY_DIRS = [
  path.join(HISTORIES_DIR, 'before-broker-truth'),
  path.join(HISTORIES_DIR, 'before-trigger-exit'),
  path.join(HISTORIES_DIR, 'before-worker-marks'),
  path.join(HISTORIES_DIR, 'before-reads-beside-reservation'),
  path.join(HISTORIES_DIR, 'before-book-totals'),
  path.join(HISTORIES_DIR, 'before-exit-by-id'),
];

/**
 * Every recorded history, by workflow type and path. A path with a `-runN`
 * suffix is one run of a chain that continued as new: each run replays on
 * its own, and the later run starts from the carried state.
 */
export const CATALOG = {
  positionWorkflow: [
    'target',
    'stop-loss',
    'trailing-stop',
    'force-exit',
    'pause-resume',
    'modify-exits',
    'max-hold',
    'kill-switch',
    'continue-as-new-run1',
    'continue-as-new-run2',
    'entry-failed',
    'rejected',
    'aborted-while-selecting',
    'external-close',
    'cancelled',
    'needs-attention',
    'freeze-resliced',
    'adopted',
  ],
  accountWorkflow: ['risk-book', 'kill-switch'],
  runnerWorkflow: ['continue-as-new-run1', 'continue-as-new-run2'],
  reconcilerWorkflow: ['orphan-adopted'],
} as const;

export type WorkflowType = keyof typeof CATALOG;

export const historyName = (type: WorkflowType, path: string) => `${type}-${path}`;

export const catalogNames = (): string[] =>
  Object.entries(CATALOG).flatMap(([type, paths]) =>
    paths.map((p) => historyName(type as WorkflowType, p)),
  );
