/**
 * The four things a caller can do about a broker failure, and nothing else:
 * give up (rejection), find out what happened (ambiguous), back off
 * (throttled) or get a new session (auth). Messages never carry credentials:
 * they are rebuilt from the broker's text, scrubbed, never from the raw
 * axios error whose config holds the Authorization header.
 */
export abstract class BrokerError extends Error {
  abstract readonly retryable: boolean;
  constructor(
    readonly operation: string,
    readonly kiteErrorType: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The broker definitively said no (InputException, OrderException, MarginException, ...). */
export class BrokerRejection extends BrokerError {
  readonly retryable = false;
}

/** No definitive answer: timeout, reset socket, 5xx. A write may or may not have happened. */
export class BrokerAmbiguous extends BrokerError {
  readonly retryable = true;
}

/** Rate limited (HTTP 429): the request was refused before it did anything. */
export class BrokerThrottled extends BrokerError {
  readonly retryable = true;
}

/** TokenException: the session is invalid or expired; retrying will not help until it is renewed. */
export class BrokerAuthError extends BrokerError {
  readonly retryable = false;
}

const DEFINITIVE = new Set([
  'InputException',
  'OrderException',
  'MarginException',
  'HoldingException',
  'UserException',
  'PermissionException',
]);

// kiteconnect drops the HTTP status: a 429 surfaces as NetworkException whose
// message is Kite's body text or the status text.
const THROTTLED_MESSAGE = /too many requests|rate limit|429/i;

/** Maps whatever kiteconnect rejected with to a BrokerError; `scrub` removes secret values. */
export function toBrokerError(
  operation: string,
  err: unknown,
  scrub: (s: string) => string,
): BrokerError {
  if (err instanceof BrokerError) return err;
  const { errorType, message } = describe(err);
  const text = scrub(message);
  if (errorType === 'TokenException') return new BrokerAuthError(operation, errorType, text);
  if (DEFINITIVE.has(errorType)) return new BrokerRejection(operation, errorType, text);
  if (THROTTLED_MESSAGE.test(message)) return new BrokerThrottled(operation, errorType, text);
  return new BrokerAmbiguous(operation, errorType, text);
}

function describe(err: unknown): { errorType: string; message: string } {
  if (typeof err === 'object' && err !== null) {
    const { error_type: errorType, message } = err as { error_type?: unknown; message?: unknown };
    return {
      errorType: typeof errorType === 'string' ? errorType : 'Unknown',
      message:
        typeof message === 'string' && message.length > 0 ? message : 'no message from broker',
    };
  }
  return { errorType: 'Unknown', message: String(err) };
}
