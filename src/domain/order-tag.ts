/**
 * Kite does not deduplicate order tags, so the tag is the idempotency key we
 * look orders up by: it must be a pure function of the intent (workflow id,
 * leg, slice, attempt), fit Kite's 20 alphanumeric characters, and make a
 * collision between two workflows practically impossible — adopting another
 * position's order would be worse than a duplicate.
 */
export type OrderLeg = 'ENTRY' | 'EXIT';

export const ORDER_TAG_PATTERN = /^[A-Za-z0-9]{1,20}$/;

const LEG_CODE: Record<OrderLeg, string> = { ENTRY: 'E', EXIT: 'X' };
const HASH_WIDTH = 13; // base36 of a 64-bit value
const MAX_SLICE = 35; // one base36 digit
const MAX_ATTEMPT = 36 * 36 - 1; // two base36 digits

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

/** `<hash13><E|X><slice><attempt2>`, e.g. "1b9x0k2m3q8zzE001": 17 characters. */
export function orderTag(workflowId: string, leg: OrderLeg, attempt: number, slice = 0): string {
  if (workflowId.length === 0) throw new RangeError('workflowId: expected a non-empty string');
  checkRange('attempt', attempt, MAX_ATTEMPT);
  checkRange('slice', slice, MAX_SLICE);
  const hash = fnv1a64(workflowId).toString(36).padStart(HASH_WIDTH, '0');
  return `${hash}${LEG_CODE[leg]}${slice.toString(36)}${attempt.toString(36).padStart(2, '0')}`;
}
