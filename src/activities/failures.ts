import { ApplicationFailure } from '@temporalio/common';
import {
  BrokerAmbiguous,
  BrokerAuthError,
  BrokerError,
  BrokerRejection,
  BrokerThrottled,
} from '../adapters/kite/errors';
import { FailureType } from './failure-types';

const THROTTLE_PAUSE = '2s';

export function toActivityFailure(
  err: unknown,
  rejectionType: FailureType = FailureType.BrokerRejected,
): unknown {
  if (!(err instanceof BrokerError)) return err;
  const message = `${err.operation}: ${err.message}`;
  if (err instanceof BrokerRejection)
    return ApplicationFailure.nonRetryable(err.message, rejectionType, err.kiteErrorType);
  if (err instanceof BrokerAuthError)
    return ApplicationFailure.retryable(message, FailureType.BrokerAuth);
  if (err instanceof BrokerThrottled) {
    return ApplicationFailure.create({
      message,
      type: FailureType.BrokerThrottled,
      nextRetryDelay: THROTTLE_PAUSE,
    });
  }
  if (err instanceof BrokerAmbiguous)
    return ApplicationFailure.retryable(message, FailureType.BrokerAmbiguous);
  return err;
}

/** Rethrows anything that is not worth waiting out (auth, rejection, bugs); returns quietly for transient broker trouble. */
export function throwUnlessTransient(err: unknown): void {
  if (err instanceof BrokerAmbiguous || err instanceof BrokerThrottled) return;
  throw toActivityFailure(err);
}
