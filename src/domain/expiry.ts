export type ExpiryDayRule = 'SAME_DAY' | 'NEXT_WEEK';

/**
 * The expiry to trade from the instrument dump's expiries (YYYY-MM-DD).
 * On expiry day SAME_DAY keeps today's contract; NEXT_WEEK rolls to the next
 * listed expiry, which for monthly-only underlyings is next month's, because
 * expiry-day premium decays too fast to hold through a normal exit plan.
 * Undefined when no listed expiry is on or after today.
 */
export function chooseExpiry(
  expiries: readonly string[],
  today: string,
  rule: ExpiryDayRule,
): string | undefined {
  // ISO dates order correctly as strings; the set drops the dump's duplicates.
  const upcoming = [...new Set(expiries)].filter((e) => e >= today).sort();
  if (upcoming[0] === today && rule === 'NEXT_WEEK') return upcoming[1];
  return upcoming[0];
}
