import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Client,
  Connection,
  WithStartWorkflowOperation,
  type WorkflowHandle,
} from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createBaselineActivities } from '../baseline/activities';
import {
  countUpdate,
  doneSignal,
  type emptyWorkflow,
  type localRoundTripsWorkflow,
  type reservedEntryWorkflow,
  type roundTripsWorkflow,
  type timerWorkflow,
  type triggeredWorkflow,
  type updatesWorkflow,
} from '../baseline/workflows';
import { entryPhases, type Phase } from './entry-phases';
import { Rendezvous } from './rendezvous';
import type { BenchTemporal } from './temporal';

/**
 * Bare Temporal workflows on the same server, with their worker in this
 * process: what the same number of activity round trips costs with no
 * business logic, broker or tick feed, measured in the same run.
 */
export class Baseline {
  private readonly noops = new Rendezvous<{ at: number; epochMs: number }>();
  private readonly releases = new Rendezvous<() => void>();
  private running: Promise<void> | undefined;
  private readonly taskQueue = `baseline-${randomUUID().slice(0, 8)}`;
  private worker!: Worker;
  private client!: Client;
  private connections: { close(): Promise<void> }[] = [];
  /** The running workflow reservedEntry's updates go to, started on first use. */
  private book: WorkflowHandle | undefined;
  private readonly reservedEntries: string[] = [];

  static async start(temporal: BenchTemporal): Promise<Baseline> {
    const baseline = new Baseline();
    await baseline.init(temporal);
    return baseline;
  }

  private async init(temporal: BenchTemporal): Promise<void> {
    const native = await NativeConnection.connect({ address: temporal.address });
    const connection = await Connection.connect({ address: temporal.address });
    this.connections = [native, connection];
    this.client = new Client({ connection, namespace: temporal.namespace });
    this.worker = await Worker.create({
      connection: native,
      namespace: temporal.namespace,
      taskQueue: this.taskQueue,
      workflowBundle: { codePath: temporal.baselineBundlePath },
      activities: createBaselineActivities({
        onNoop: (id, index, at, epochMs) => this.noops.deliver(`${id}/${index}`, { at, epochMs }),
        onAwaitingRelease: (id, release) => this.releases.deliver(id, release),
        // Update-with-start, as reserveRisk reaches the account book: the book is running, so it is used.
        update: async (bookId) => {
          await this.client.workflow.executeUpdateWithStart(countUpdate, {
            args: [1],
            startWorkflowOperation: new WithStartWorkflowOperation<typeof updatesWorkflow>(
              'updatesWorkflow',
              {
                workflowId: bookId,
                taskQueue: this.taskQueue,
                args: [],
                workflowIdConflictPolicy: 'USE_EXISTING',
              },
            ),
          });
        },
      }),
    });
    this.running = this.worker.run();
  }

  /** Client start until the last of `rounds` no-op activities begins, in ms. */
  roundTrips(rounds: number): Promise<number> {
    return this.timedRounds('roundTripsWorkflow', 'rt', rounds);
  }

  /** The same with local activities: client start until the last of `rounds` begins, in ms. */
  localRoundTrips(rounds: number): Promise<number> {
    return this.timedRounds('localRoundTripsWorkflow', 'lrt', rounds);
  }

  private async timedRounds(
    workflowType: 'roundTripsWorkflow' | 'localRoundTripsWorkflow',
    prefix: string,
    rounds: number,
  ): Promise<number> {
    const workflowId = `${prefix}-${randomUUID()}`;
    const started = performance.now();
    const handle = await this.client.workflow.start<
      typeof roundTripsWorkflow | typeof localRoundTripsWorkflow
    >(workflowType, { workflowId, taskQueue: this.taskQueue, args: [rounds] });
    const last = await this.noops.wait(`${workflowId}/${rounds - 1}`);
    await handle.result();
    return last.at - started;
  }

  /**
   * Client start until the last activity of our entry's bare shape begins
   * (reservedEntryWorkflow: the reads and the reservation, then the order), in ms.
   */
  async reservedEntry(): Promise<number> {
    this.book ??= await this.client.workflow.start<typeof updatesWorkflow>('updatesWorkflow', {
      workflowId: `book-${randomUUID()}`,
      taskQueue: this.taskQueue,
      args: [],
    });
    const workflowId = `re-${randomUUID()}`;
    this.reservedEntries.push(workflowId);
    const started = performance.now();
    const handle = await this.client.workflow.start<typeof reservedEntryWorkflow>(
      'reservedEntryWorkflow',
      { workflowId, taskQueue: this.taskQueue, args: [this.book.workflowId] },
    );
    const order = await this.noops.wait(`${workflowId}/2`);
    await handle.result();
    return order.at - started;
  }

  /** Where the time of the last `count` reservedEntry runs went, step by step, as entryPhases reads a position's. */
  reservedEntryPhases(count: number): Promise<Phase[]> {
    return entryPhases(
      this.client,
      this.reservedEntries.slice(-count),
      'ACTIVITY_TASK_STARTED noop',
    );
  }

  /** Client start until the result of a workflow that does nothing, in ms. */
  async empty(): Promise<number> {
    const started = performance.now();
    await this.client.workflow.execute<typeof emptyWorkflow>('emptyWorkflow', {
      workflowId: `em-${randomUUID()}`,
      taskQueue: this.taskQueue,
      args: [],
    });
    return performance.now() - started;
  }

  /**
   * `count` workflows whose timers all fall due `inMs` from now: for each,
   * how late the server fired the timer and how late the activity it wakes
   * began, in ms after the due time (TimerStarted's time plus its duration).
   */
  async timers(count: number, inMs: number): Promise<{ fired: number; next: number }[]> {
    const fireAt = Date.now() + inMs;
    const ids = Array.from({ length: count }, () => `tm-${randomUUID()}`);
    const handles = await Promise.all(
      ids.map((workflowId) =>
        this.client.workflow.start<typeof timerWorkflow>('timerWorkflow', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [fireAt],
        }),
      ),
    );
    return Promise.all(
      handles.map(async (handle) => {
        const next = await this.noops.wait(`${handle.workflowId}/0`);
        await handle.result();
        const events = (await handle.fetchHistory()).events ?? [];
        const started = events.find((e) => e.timerStartedEventAttributes);
        const fired = events.find((e) => e.timerFiredEventAttributes);
        const due =
          tsToMs(started?.eventTime) +
          tsToMs(started?.timerStartedEventAttributes?.startToFireTimeout);
        return { fired: tsToMs(fired?.eventTime) - due, next: next.epochMs - due };
      }),
    );
  }

  /**
   * `concurrent` updates sent at once to one running workflow, as entries
   * reserve on the account book: each update's latency in ms, and how many
   * failed.
   */
  async updateBurst(concurrent: number): Promise<{ latencies: number[]; failed: number }> {
    const handle = await this.client.workflow.start<typeof updatesWorkflow>('updatesWorkflow', {
      workflowId: `up-${randomUUID()}`,
      taskQueue: this.taskQueue,
      args: [],
    });
    await handle.executeUpdate(countUpdate, { args: [0] });
    const outcomes = await Promise.all(
      Array.from({ length: concurrent }, async () => {
        const sent = performance.now();
        return handle.executeUpdate(countUpdate, { args: [1] }).then(
          () => performance.now() - sent,
          () => undefined,
        );
      }),
    );
    await handle.signal(doneSignal);
    const counted = await handle.result();
    const latencies = outcomes.filter((l): l is number => l !== undefined);
    if (counted !== latencies.length)
      throw new Error(`${latencies.length} updates succeeded but the workflow counted ${counted}`);
    return { latencies, failed: concurrent - latencies.length };
  }

  /** Events in the history of one bare workflow making `rounds` activity calls. */
  async roundTripsHistory(rounds: number): Promise<number> {
    const workflowId = `rh-${randomUUID()}`;
    const handle = await this.client.workflow.start<typeof roundTripsWorkflow>(
      'roundTripsWorkflow',
      { workflowId, taskQueue: this.taskQueue, args: [rounds] },
    );
    await handle.result();
    return (await handle.fetchHistory()).events?.length ?? 0;
  }

  /** From releasing a waiting activity until the workflow's next activity begins, in ms. */
  async triggered(): Promise<number> {
    const workflowId = `tr-${randomUUID()}`;
    const handle = await this.client.workflow.start<typeof triggeredWorkflow>('triggeredWorkflow', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [],
    });
    const release = await this.releases.wait(workflowId);
    const released = performance.now();
    release();
    const next = await this.noops.wait(`${workflowId}/0`);
    await handle.result();
    return next.at - released;
  }

  async stop(): Promise<void> {
    await this.book?.terminate('bench done').catch(() => undefined);
    this.worker.shutdown();
    await this.running;
    for (const c of this.connections) await c.close();
  }
}
