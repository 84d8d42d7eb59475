/**
 * ApplicationFailure types the activities throw, for the workflow to branch
 * on (`err.cause.type`). Constants only, so workflow code can import them.
 * Whether a type is retried is the retry policy's decision (./options.ts),
 * except where a retry could never succeed: those are thrown non-retryable.
 */
export const FailureType = {
  /** The broker refused the order; always non-retryable. Message is the broker's. */
  OrderRejected: 'OrderRejected',
  /** The broker refused some other request (unknown order id, ...); non-retryable. */
  BrokerRejected: 'BrokerRejected',
  /** The session is invalid; retryable so an operator can renew the token, unless the policy says otherwise. */
  BrokerAuth: 'BrokerAuth',
  /** No definitive answer from the broker; retried. */
  BrokerAmbiguous: 'BrokerAmbiguous',
  /** Rate limited; retried after a pause. */
  BrokerThrottled: 'BrokerThrottled',
  /** Bad activity input, naming the field; non-retryable, never reaches the broker. */
  InvalidRequest: 'InvalidRequest',
  /** An order already carries this intent's tag but differs from the intent; non-retryable, needs a human. */
  TagConflict: 'TagConflict',
  /** A cancel was sent but the order is not final yet; retried. */
  CancelPending: 'CancelPending',
  /** The worker lacks something the activity needs (e.g. a tick hub); non-retryable. */
  Misconfigured: 'Misconfigured',
  /** The day's account book has completed and is never restarted, so its totals stand; non-retryable. */
  AccountClosed: 'AccountClosed',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
