import type { WorkflowHandle } from '@temporalio/client';

/** Payload bytes as the UTF-8 text they carry, so a search sees what a person exporting the history would. */
function readable(value: unknown): unknown {
  // isView, not instanceof: the SDK's buffers come from outside jest's realm.
  if (ArrayBuffer.isView(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  if (Array.isArray(value)) return value.map(readable);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
  return value;
}

/**
 * One run's history, exported through the client, as searchable text. Plain
 * JSON.stringify would show payloads base64-encoded, and a search for a
 * secret inside a workflow input could never find it.
 */
export async function historyText(handle: WorkflowHandle): Promise<string> {
  return JSON.stringify(readable(await handle.fetchHistory()));
}
