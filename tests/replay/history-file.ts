import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils';
import { HISTORIES_DIR } from './catalog';
import { historyFromJson, historyToJson } from './history-json';

/**
 * What one file in tests/histories holds. The workflow id travels with the
 * history because replay needs it (order tags derive from it) and a history
 * alone does not carry it. `history` is Temporal's standard JSON form.
 */
export interface HistoryFile {
  workflowId: string;
  history: unknown;
}

export interface RecordedHistory {
  name: string;
  workflowId: string;
  history: History;
  /** The file as stored, for checks on what it contains. */
  file: HistoryFile;
}

/**
 * Every run of a closed workflow, first to last: from the latest run back
 * along continue-as-new, which each run's started event names.
 */
export async function fetchRuns(client: Client, workflowId: string): Promise<HistoryFile[]> {
  const runs: HistoryFile[] = [];
  let runId: string | undefined;
  do {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift({ workflowId, history: historyToJson(history) });
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId || undefined;
  } while (runId);
  return runs;
}

/** Replaces every recorded history with `files`, so a path dropped from the catalog leaves no stale file. */
export function writeHistories(files: Map<string, HistoryFile>): void {
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const stale of fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')))
    fs.rmSync(path.join(HISTORIES_DIR, stale));
  for (const [name, file] of files)
    fs.writeFileSync(
      path.join(HISTORIES_DIR, `${name}.json`),
      `${JSON.stringify(file, null, 1)}\n`,
    );
}

/** The histories in `dir` (the current recordings by default), by file name. */
export function readHistories(dir = HISTORIES_DIR): RecordedHistory[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as HistoryFile;
      return {
        name: f.slice(0, -'.json'.length),
        workflowId: file.workflowId,
        history: historyFromJson(file.history),
        file,
      };
    });
}

export const workflowTypeOf = (history: History): string | null | undefined =>
  history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
