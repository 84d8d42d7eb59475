import path from 'node:path';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { PAPER_CREDENTIALS } from '../../src/config';
import * as workflows from '../../src/workflows';
import { CATALOG, catalogNames, LEGACY_HISTORY_DIRS } from './catalog';
import { readHistories, workflowTypeOf, type RecordedHistory } from './history-file';

/**
 * Invariant 3: every recorded history replays against the workflow code as it
 * is now. A failure here means a change would break workflows already
 * running; see tests/histories/README.md for what to do.
 */
const histories = readHistories();
// Named by their folder too: each earlier code's recordings share the current names.
const legacy = LEGACY_HISTORY_DIRS.flatMap((dir) =>
  readHistories(dir).map((h) => ({ ...h, name: `${path.basename(dir)}/${h.name}` })),
);

/** Replays `recorded` in order; the error of each, by history name. */
async function replay(
  options: Omit<ReplayWorkerOptions, 'replayName'>,
  recorded: RecordedHistory[],
): Promise<Map<string, Error | undefined>> {
  const results = new Map<string, Error | undefined>();
  const replays = Worker.runReplayHistories(
    options,
    recorded.map(({ workflowId, history }) => ({ workflowId, history })),
  );
  let i = 0;
  for await (const { error } of replays) results.set(recorded[i++].name, error);
  return results;
}

/** Payload data is base64 in the JSON form, so a plain search of the file would miss a secret. */
const payloadTexts = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(payloadTexts);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'data' && typeof value === 'string'
      ? [Buffer.from(value, 'base64').toString('utf8')]
      : payloadTexts(value),
  );
};

describe('recorded workflow histories', () => {
  it('cover every workflow type and every recorded path', () => {
    expect(Object.keys(CATALOG).sort()).toEqual(Object.keys(workflows).sort());
    expect(histories.map((h) => h.name)).toEqual(catalogNames().sort());
    for (const { name, history } of histories)
      expect(`${name}: ${workflowTypeOf(history)}`).toBe(`${name}: ${name.split('-')[0]}`);
  });

  it('replay against the current workflow code', async () => {
    const results = await replay(
      { workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! } },
      histories,
    );
    const diverged = [...results].filter(([, error]) => error).map(([n, e]) => `${n}: ${e}`);
    expect(diverged).toEqual([]);
    expect(results.size).toBe(histories.length);
  });

  it('recorded by earlier code still replay, through the patched branches', async () => {
    expect(legacy.length).toBeGreaterThan(0);
    const results = await replay(
      { workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! } },
      legacy,
    );
    const diverged = [...results].filter(([, error]) => error).map(([n, e]) => `${n}: ${e}`);
    expect(diverged).toEqual([]);
    expect(results.size).toBe(legacy.length);
  });

  it('hold no secret (invariant 5)', () => {
    const secrets = Object.values(PAPER_CREDENTIALS);
    for (const { name, file } of [...histories, ...legacy]) {
      const texts = [JSON.stringify(file), ...payloadTexts(file.history)];
      const leaked = secrets.filter((s) => texts.some((t) => t.includes(s)));
      expect(`${name}: ${leaked}`).toBe(`${name}: `);
    }
  });

  it('fail to replay against a workflow that gained a step', async () => {
    const positions = histories.filter((h) => h.name.startsWith('positionWorkflow-'));
    const results = await replay(
      { workflowsPath: require.resolve('./altered-workflows') },
      positions,
    );
    expect([...results.keys()]).toEqual(positions.map((h) => h.name));
    for (const [name, error] of results)
      expect(`${name}: ${error?.constructor.name}`).toBe(`${name}: DeterminismViolationError`);
    expect([...results.values()].every((e) => e instanceof DeterminismViolationError)).toBe(true);
  }, 120_000);
});
