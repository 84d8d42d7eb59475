import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createBaselineActivities } from '../baseline/activities';
import type { roundTripsWorkflow, triggeredWorkflow } from '../baseline/workflows';
import { Rendezvous } from './rendezvous';
import type { BenchTemporal } from './temporal';

/**
 * Bare Temporal workflows on the same server, with their worker in this
 * process: what the same number of activity round trips costs with no
 * business logic, broker or tick feed, measured in the same run.
 */
export class Baseline {
  private readonly noops = new Rendezvous<number>();
  private readonly releases = new Rendezvous<() => void>();
  private running: Promise<void> | undefined;
  private readonly taskQueue = `baseline-${randomUUID().slice(0, 8)}`;
  private worker!: Worker;
  private client!: Client;
  private connections: { close(): Promise<void> }[] = [];

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
        onNoop: (id, index, at) => this.noops.deliver(`${id}/${index}`, at),
        onAwaitingRelease: (id, release) => this.releases.deliver(id, release),
      }),
    });
    this.running = this.worker.run();
  }

  /** Client start until the last of `rounds` no-op activities begins, in ms. */
  async roundTrips(rounds: number): Promise<number> {
    const workflowId = `rt-${randomUUID()}`;
    const started = performance.now();
    const handle = await this.client.workflow.start<typeof roundTripsWorkflow>(
      'roundTripsWorkflow',
      { workflowId, taskQueue: this.taskQueue, args: [rounds] },
    );
    const last = await this.noops.wait(`${workflowId}/${rounds - 1}`);
    await handle.result();
    return last - started;
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
    return next - released;
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    for (const c of this.connections) await c.close();
  }
}
