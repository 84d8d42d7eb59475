import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';

/** Set by global-setup.ts: the one dev server and the one workflow bundle of this run. */
const address = () => {
  const value = process.env.TEMPORAL_TEST_ADDRESS;
  if (!value)
    throw new Error(
      'TEMPORAL_TEST_ADDRESS is unset: run tests through jest so global-setup starts Temporal',
    );
  return value;
};

export async function testClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: address() });
  return { client: new Client({ connection }), close: () => connection.close() };
}

export const uniqueTaskQueue = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop: () => Promise<void>;
}

/** A real worker on its own task queue, running the bundle built once in global setup. */
export async function startTestWorker(
  options: Omit<WorkerOptions, 'connection' | 'taskQueue' | 'workflowBundle' | 'workflowsPath'> & {
    taskQueue?: string;
  },
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: address() });
  const taskQueue = options.taskQueue ?? uniqueTaskQueue('test');
  const worker = await Worker.create({
    ...options,
    connection,
    taskQueue,
    workflowBundle: { codePath: process.env.TEMPORAL_TEST_BUNDLE! },
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
