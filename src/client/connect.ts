import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema';

export interface Connected {
  client: Client;
  close: () => Promise<void>;
}

/** A Temporal client for the configured server and namespace; the caller closes it. */
export async function connectClient(config: Config, connectTimeoutMs = 5_000): Promise<Connected> {
  const connection = await Connection.connect({
    address: config.temporal.address,
    // An operator tool should say "cannot reach Temporal" quickly, not retry for a minute.
    connectTimeout: connectTimeoutMs,
  }).catch((err: unknown) => {
    throw new Error(
      `cannot reach Temporal at ${config.temporal.address}: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
