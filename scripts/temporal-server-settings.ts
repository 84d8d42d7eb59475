/**
 * The Temporal server settings every server of ours runs with: `npm start`,
 * the test harness and the bench pass them to `temporal server start-dev`
 * (CLI 1.5.1, server 1.29.1), and compose's server reads the same values from
 * deploy/temporal/dynamicconfig.yaml (tests/platform/docker-compose.test.ts
 * holds the two equal). Their measured effect is in bench/README.md, "Server
 * settings"; keys that were tried and did not measure are listed there, not
 * here.
 *
 * Key names and defaults: common/dynamicconfig/constants.go of
 * temporalio/temporal at v1.29.1.
 */
export type DynamicConfigValue = number | boolean | string;

export const TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, DynamicConfigValue>> = {
  // Every workflow and activity task reaches matching through the history
  // shard's transfer queue, whose reader is rate limited to this many reads
  // per second per shard (default 20; service/history/queues/reader_quotas.go).
  // The dev server has a single shard, so each task waited for the next
  // 50 ms slot: 40-46 ms per Scheduled->Started gap, about 96 ms per activity.
  // The reader only reads when a write notifies it (or once a minute), so a
  // higher cap costs nothing while idle.
  'history.transferProcessorMaxPollRPS': 2000,
  // Lets a workflow task completion that schedules an activity on the same
  // task queue hand the activity straight back to the worker that completed
  // it, skipping the transfer queue and matching altogether (default false).
  // The TypeScript SDK asks for it unless an activity sets allowEagerDispatch
  // false, and only when the worker has a free activity slot.
  'system.enableActivityEagerExecution': true,
  // The timer queue's reader has the same cap (default 20 reads a second per
  // shard). Every running price trigger's heartbeat timeout is a timer task
  // that fires and is set again about every 10 s, so 2,000 open positions
  // keep some 200 timer tasks a second due: at 20 reads a second the reader
  // fell behind, tasks were loaded 1-10 s after they were due, and a dead
  // worker's triggers timed out up to a minute late (bench/README.md,
  // session 9). Like the transfer reader, it only reads when a timer is due
  // or a write notifies it.
  'history.timerProcessorMaxPollRPS': 2000,
  // A timer task may not be due before the timer queue's read level, which
  // runs this far ahead of the clock (default 1s); one due sooner is moved
  // to it (service/history/shard/task_key_manager.go). So every timer set
  // under a second ahead (a retry back-off, an exit's answer deadline, the
  // trigger's retry) fired up to a second late. The shift exists for clock
  // skew between history hosts; our servers have one. 10ms made a burst of
  // timers due together fire later, so not lower than this.
  'history.timerProcessorMaxTimeShift': '100ms',
  // Updates admitted but not yet completed, per workflow (default 10). Past
  // the limit the server answers ResourceExhausted and the client retries a
  // second later: 20 concurrent reservations on the account book already
  // took seconds. The in-flight payload cap (20 MiB) still bounds memory.
  'history.maxInFlightUpdates': 100,
};

/**
 * For a SQLite file only (`npm start`): a write-ahead log instead of a
 * rollback journal, synced at checkpoints rather than on every commit. Each
 * history write then appends to one file instead of rewriting pages and
 * fsyncing twice. With WAL, NORMAL survives a crash of the server process
 * (nothing committed is lost); only an OS crash or power loss can drop the
 * last commits, which a laptop's dev server may accept. The in-memory
 * database of the tests and the bench has no journal to tune. The CLI hands
 * each pragma to the server's sqlite plugin, which appends it to the DSN as
 * `_pragma=` (common/persistence/sql/sqlplugin/sqlite/plugin.go).
 */
export const SQLITE_PRAGMAS: Readonly<Record<string, string>> = {
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
};

/** `base` as `KEY=VALUE` pairs, with each of `overrides` added or replacing its key. */
function merged(
  base: Record<string, string>,
  overrides: readonly string[],
  what: string,
): string[] {
  const pairs = new Map(Object.entries(base).map(([k, v]) => [k, `${k}=${v}`]));
  for (const kv of overrides) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`${what} "${kv}" is not KEY=VALUE`);
    pairs.set(kv.slice(0, eq), kv);
  }
  return [...pairs.values()];
}

/**
 * `--dynamic-config-value` arguments: `base` (ours unless told otherwise),
 * with `overrides` (`KEY=VALUE`, the value as JSON) added or replacing a key.
 */
export function dynamicConfigArgs(
  overrides: readonly string[] = [],
  base: Readonly<Record<string, DynamicConfigValue>> = TEMPORAL_DYNAMIC_CONFIG,
): string[] {
  const asJson = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, JSON.stringify(v)]));
  return merged(asJson, overrides, 'dynamic config').flatMap((kv) => [
    '--dynamic-config-value',
    kv,
  ]);
}

/** `--sqlite-pragma` arguments for a SQLite file: `base` (ours unless told otherwise) with `overrides`. */
export function sqlitePragmaArgs(
  overrides: readonly string[] = [],
  base: Readonly<Record<string, string>> = SQLITE_PRAGMAS,
): string[] {
  return merged(base, overrides, 'sqlite pragma').flatMap((kv) => ['--sqlite-pragma', kv]);
}
