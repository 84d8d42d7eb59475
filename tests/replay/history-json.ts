import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * Temporal's standard JSON form of a history, as historyToJSON and
 * historyFromJSON of @temporalio/common write and read it. Those two throw
 * "type must be a Type" here: the lock nests one protobufjs copy under each
 * @temporalio package, and protojson's `instanceof Type` fails across copies.
 * So the conversion goes through the copy @temporalio/proto's types belong to.
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown): History | null;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson: ProtoJson = require(
  require.resolve('protobufjs/ext/protojson', { paths: [protoDir] }),
);
const historyType = (
  patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }
).lookupType('temporal.api.history.v1.History');

export const historyToJson = (history: History): unknown =>
  protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history));

export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json);
  if (!history) throw new TypeError('not a history');
  return history;
}
