/**
 * Prices travel as rupees (numbers) at the edges because Kite speaks rupees,
 * but every comparison and sum goes through integer paise so 0.1 + 0.2 never
 * decides an exit.
 */
export const TICK_SIZE = 0.05;

export const toPaise = (rupees: number): number => Math.round(rupees * 100);
export const fromPaise = (paise: number): number => paise / 100;

/** Positive and exact in whole paise: anything else in a quote is garbage, not a price. */
export const isPrice = (rupees: number): boolean =>
  rupees > 0 && Number.isSafeInteger(toPaise(rupees));

/** Nearest tick; `mode` chooses the side when a level must not be crossed. */
export function roundToTick(
  price: number,
  tick = TICK_SIZE,
  mode: 'nearest' | 'up' | 'down' = 'nearest',
): number {
  const tickPaise = toPaise(tick);
  const ticks = toPaise(price) / tickPaise;
  const whole =
    mode === 'up'
      ? Math.ceil(ticks - 1e-9)
      : mode === 'down'
        ? Math.floor(ticks + 1e-9)
        : Math.round(ticks);
  return fromPaise(whole * tickPaise);
}

export const isTickMultiple = (price: number, tick = TICK_SIZE): boolean =>
  toPaise(price) % toPaise(tick) === 0;

/** Rupees rounded to paise, for money totals (charges, P&L). */
export const roundRupees = (rupees: number): number => fromPaise(Math.round(rupees * 100));

export const samePrice = (a: number, b: number): boolean => toPaise(a) === toPaise(b);
