import fc from 'fast-check';
import {
  isSystemTag,
  maxAttempt,
  ORDER_TAG_PATTERN,
  orderTag,
  tagOwner,
  tagPrefix,
} from '../../../src/domain/order-tag';

describe('orderTag', () => {
  it('is deterministic, at most 20 characters and alphanumeric for any workflow id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'binary' }),
        fc.constantFrom('ENTRY' as const, 'EXIT' as const),
        fc.integer({ min: 0, max: 1295 }),
        fc.integer({ min: 0, max: 35 }),
        (id, leg, attempt, slice) => {
          const tag = orderTag(id, leg, attempt, slice);
          expect(tag).toMatch(ORDER_TAG_PATTERN);
          expect(tag.length).toBeLessThanOrEqual(20);
          expect(orderTag(id, leg, attempt, slice)).toBe(tag);
        },
      ),
    );
  });

  it('separates leg, slice and attempt of one workflow', () => {
    const tags = new Set<string>();
    for (const leg of ['ENTRY', 'EXIT'] as const) {
      for (let slice = 0; slice <= 35; slice++) {
        for (let attempt = 0; attempt < 20; attempt++)
          tags.add(orderTag('pos-abc', leg, attempt, slice));
      }
    }
    expect(tags.size).toBe(2 * 36 * 20);
  });

  it('does not collide across many similar workflow ids', () => {
    const tags = new Set<string>();
    for (let i = 0; i < 50_000; i++) tags.add(orderTag(`pos-sig-${i}`, 'ENTRY', 0));
    expect(tags.size).toBe(50_000);
  });

  it('keeps a known value stable across releases, because live orders carry it', () => {
    expect(orderTag('pos-sig-1', 'EXIT', 2, 1)).toBe('3um4ymal6t76nX102');
    expect(orderTag('pos-sig-1', 'ENTRY', 0)).toBe('3um4ymal6t76nE000');
  });

  it.each([
    ['', 'ENTRY', 0, 0],
    ['pos-1', 'ENTRY', -1, 0],
    ['pos-1', 'ENTRY', 1.5, 0],
    ['pos-1', 'ENTRY', 1296, 0],
    ['pos-1', 'EXIT', 0, 36],
  ] as const)('rejects out-of-range input %j/%s/%d/%d', (id, leg, attempt, slice) => {
    expect(() => orderTag(id, leg, attempt, slice)).toThrow(RangeError);
  });
});

describe('orderTag scheme 2: salted per deployment, room for decades of exit rounds', () => {
  const a = { version: 2 as const, salt: 'prod/trader' };
  const b = { version: 2 as const, salt: 'staging/trader' };

  it('is 20 letters or digits and separates deployments on one Kite account', () => {
    const tag = orderTag('pos-sig-1', 'EXIT', 2, 1, a);
    expect(tag).toMatch(ORDER_TAG_PATTERN);
    expect(tag).toHaveLength(20);
    expect(orderTag('pos-sig-1', 'EXIT', 2, 1, b)).not.toBe(tag);
    expect(tagPrefix('pos-sig-1', a)).toBe(tag.slice(0, 13));
  });

  it('keeps a known value stable across releases', () => {
    expect(orderTag('pos-sig-1', 'EXIT', 2, 1, a)).toBe(orderTag('pos-sig-1', 'EXIT', 2, 1, a));
    expect(orderTag('pos-sig-1', 'ENTRY', 0, 0, { version: 2 })).toBe('3um4ymal6t76nE000000');
  });

  it('counts attempts far past scheme 1, and refuses past its own end', () => {
    expect(maxAttempt(a)).toBe(36 ** 5 - 1);
    expect(orderTag('pos-1', 'EXIT', 1296, 0, a)).toMatch(/X000100$/);
    expect(() => orderTag('pos-1', 'EXIT', 36 ** 5, 0, a)).toThrow(RangeError);
  });

  it("tells our tags (either scheme) from a stranger's", () => {
    expect(isSystemTag(orderTag('pos-1', 'EXIT', 3, 2, a))).toBe(true);
    expect(isSystemTag(orderTag('pos-1', 'ENTRY', 3, 2))).toBe(true);
    expect(isSystemTag(null)).toBe(false);
    expect(isSystemTag('manual')).toBe(false);
    expect(isSystemTag('3um4ymal6t76nX00002')).toBe(false);
  });

  it("names the workflow behind one of our tags, and nobody behind a stranger's", () => {
    expect(tagOwner(orderTag('pos-1', 'EXIT', 3, 2, a))).toBe(tagPrefix('pos-1', a));
    expect(tagOwner(orderTag('pos-1', 'ENTRY', 0))).toBe(tagPrefix('pos-1'));
    expect(tagOwner('manual')).toBeUndefined();
    expect(tagOwner(null)).toBeUndefined();
  });
});
