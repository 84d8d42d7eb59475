export * from './types';
export { STRATEGIES, type StrategyName } from './registry';
export { evaluateAll, type StrategyOutcome } from './evaluate';
export * from './candles';
