import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/**
 * The search attributes the workflows upsert that the namespace does not
 * have with the right type, as `Name (Type)`. An upsert of an unregistered
 * key fails the workflow task, and a position's phase change precedes its
 * sell order, so a worker that ran anyway would never exit anything.
 */
export async function missingSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const registered = customAttributes ?? {};
  return SEARCH_ATTRIBUTES.filter(
    (key) => registered[key.name] !== encodeSearchAttributeIndexedValueType(key.type),
  ).map((key) => `${key.name} (${key.type})`);
}
