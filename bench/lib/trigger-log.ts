import fs from 'node:fs';

/** One trigger's exit, from the worker's own log, in epoch ms of the worker's clock. */
export interface TriggerFiring {
  /** When the crossing tick's packet reached the worker (the hub's `at`; ltp mode has no exchange stamp). */
  receivedAt: number;
  /** When the trigger logged that it fired: after the exit order's answer came back. */
  loggedAt: number;
}

/** Each exit the triggers placed, by its tag, from the worker's "price trigger fired" lines. */
export function triggerFirings(workerLog: string): Map<string, TriggerFiring> {
  const firings = new Map<string, TriggerFiring>();
  for (const line of fs.readFileSync(workerLog, 'utf8').split('\n')) {
    if (!line.includes('"price trigger fired"')) continue;
    const entry = JSON.parse(line) as {
      time: number;
      at: number;
      exitOrders?: { tag: string }[];
    };
    for (const { tag } of entry.exitOrders ?? [])
      firings.set(tag, { receivedAt: entry.at, loggedAt: entry.time });
  }
  return firings;
}
