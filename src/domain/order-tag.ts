/**
 * Kite does not deduplicate order tags, so the tag is the idempotency key we
 * look orders up by: it must be a pure function of the intent (workflow id,
 * leg, slice, attempt), fit Kite's 20 alphanumeric characters, and make a
 * collision between two workflows practically impossible — adopting another
 * position's order would be worse than a duplicate.
 */
export type OrderLeg = 'ENTRY' | 'EXIT';

export const ORDER_TAG_PATTERN = /^[A-Za-z0-9]{1,20}$/;

/**
 * How a position derives its tags, frozen into its state when it starts so a
 * deploy never changes the tag of an intent already in flight.
 * - 1: `<hash13><leg><slice><attempt2>` over the workflow id alone: 1,296
 *   attempts, and two deployments on one Kite account collide.
 * - 2: `<hash13><leg><slice><attempt5>`, the hash over the deployment salt
 *   and the workflow id: 60 million attempts (decades at the exit retry cap),
 *   unique per deployment.
 */
export interface TagScheme {
  version: 1 | 2;
  /** Deployment salt (broker.tagSalt, else namespace and task queue); version 2 only. */
  salt?: string;
}

const LEG_CODE: Record<OrderLeg, string> = { ENTRY: 'E', EXIT: 'X' };
const HASH_WIDTH = 13; // base36 of a 64-bit value
const MAX_SLICE = 35; // one base36 digit
const ATTEMPT_WIDTH: Record<TagScheme['version'], number> = { 1: 2, 2: 5 };

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/**
 * 64-bit FNV-1a over UTF-16 code units (no TextEncoder, so it runs unchanged
 * in the workflow sandbox): 32 bits would leave a one-in-a-million daily
 * collision risk at a few hundred positions.
 */
function fnv1a64(text: string): bigint {
  let hash = FNV64_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV64_PRIME) & MASK64;
  }
  return hash;
}

function checkRange(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer in [0, ${max}], got ${value}`);
  }
}

export const maxAttempt = (scheme: TagScheme): number => 36 ** ATTEMPT_WIDTH[scheme.version] - 1;

/** The part of every tag of one workflow that names the workflow, whatever the leg, slice and attempt. */
export function tagPrefix(workflowId: string, scheme: TagScheme = { version: 1 }): string {
  if (workflowId.length === 0) throw new RangeError('workflowId: expected a non-empty string');
  // A NUL cannot appear in a salt or a workflow id, so "a|b" and "a" + "|b" never hash alike.
  const keyed =
    scheme.version === 2 && scheme.salt ? `${scheme.salt}\u0000${workflowId}` : workflowId;
  return fnv1a64(keyed).toString(36).padStart(HASH_WIDTH, '0');
}

/** e.g. "1b9x0k2m3q8zzX10002" (scheme 2, exit, slice 1, attempt 2). */
export function orderTag(
  workflowId: string,
  leg: OrderLeg,
  attempt: number,
  slice = 0,
  scheme: TagScheme = { version: 1 },
): string {
  checkRange('attempt', attempt, maxAttempt(scheme));
  checkRange('slice', slice, MAX_SLICE);
  const width = ATTEMPT_WIDTH[scheme.version];
  return `${tagPrefix(workflowId, scheme)}${LEG_CODE[leg]}${slice.toString(36)}${attempt.toString(36).padStart(width, '0')}`;
}

const SYSTEM_TAG = /^[0-9a-z]{13}[EX][0-9a-z](?:[0-9a-z]{2}|[0-9a-z]{5})$/;

/**
 * Whether a tag has the shape of one of ours (either scheme). Orders without
 * one (the Kite app, the broker's auto square-off) are somebody else's.
 */
export const isSystemTag = (tag: string | null): boolean => tag !== null && SYSTEM_TAG.test(tag);

/** The workflow part of one of our tags (`tagPrefix`); undefined for anybody else's. */
export const tagOwner = (tag: string | null): string | undefined =>
  tag !== null && isSystemTag(tag) ? tag.slice(0, HASH_WIDTH) : undefined;
