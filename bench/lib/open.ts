import { submitPosition, type Submitted, type Variant } from './positions';
import { within } from './rendezvous';
import type { BenchStack } from './stack';

export interface OpenPosition extends Submitted {
  token: number;
  entryPrice: number;
}

/** Submits the variants together and waits for each entry to fill; positions whose entry never fills are left out. */
export async function openBatch(
  stack: BenchStack,
  variants: readonly Variant[],
): Promise<OpenPosition[]> {
  const opened = await Promise.all(
    variants.map(async (variant) => {
      const submitted = await submitPosition(stack, variant);
      const fill = await within(stack.clock.orderFilled(submitted.entryTag), 60_000);
      return fill && { ...submitted, token: fill.token, entryPrice: fill.price };
    }),
  );
  return opened.filter((p): p is OpenPosition => p !== undefined);
}
