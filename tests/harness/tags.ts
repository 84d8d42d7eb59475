import { tagSaltOf } from '../../src/client/submit';
import type { Config } from '../../src/config';
import { orderTag, tagPrefix, type OrderLeg, type TagScheme } from '../../src/domain/order-tag';

/** The scheme a position started today under `config` tags its orders with. */
export const schemeFor = (config: Config): TagScheme => ({ version: 2, salt: tagSaltOf(config) });

/** One position's tags, as its workflow derives them. */
export function tagsOf(workflowId: string, scheme: TagScheme) {
  return {
    prefix: tagPrefix(workflowId, scheme),
    tag: (leg: OrderLeg, attempt: number, slice = 0) =>
      orderTag(workflowId, leg, attempt, slice, scheme),
  };
}
