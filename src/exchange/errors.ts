/** Kite's error envelope types and the HTTP status each travels with. */
export type KiteErrorType =
  'InputException' | 'TokenException' | 'OrderException' | 'NetworkException' | 'GeneralException';

const STATUS: Record<KiteErrorType, number> = {
  InputException: 400,
  TokenException: 403,
  OrderException: 400,
  NetworkException: 429,
  GeneralException: 500,
};

export class KiteError extends Error {
  constructor(
    readonly errorType: KiteErrorType,
    message: string,
    readonly status: number = STATUS[errorType],
  ) {
    super(message);
  }
}

export const inputError = (message: string): KiteError => new KiteError('InputException', message);
export const orderError = (message: string): KiteError => new KiteError('OrderException', message);
