import { log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Signal } from '../domain/signal';
import { ExitBlockedKey, OutcomeKey, PhaseKey, TradingSymbolKey } from './search-attributes';
import type { Outcome, Phase, PositionRules, PositionState } from './messages';

/**
 * The position's mutable state plus the side effects that must accompany a
 * change of it (search attributes, a log line), so no code path can move the
 * phase without the Web UI seeing it.
 */
export class PositionContext {
  readonly workflowId = workflowInfo().workflowId;
  /** Bumped by every operator message so supervision wakes up and re-plans. */
  messages = 0;
  forceExitReason: string | undefined;

  constructor(
    readonly signal: Signal,
    readonly rules: PositionRules,
    readonly state: PositionState,
  ) {}

  static fresh(signal: Signal, rules: PositionRules): PositionContext {
    return new PositionContext(signal, rules, {
      positionId: signal.id,
      phase: 'VALIDATING',
      signal: {
        id: signal.id,
        underlying: signal.underlying,
        direction: signal.direction,
        strategy: signal.strategy,
        strength: signal.strength,
        expectedMovePct: signal.expectedMovePct,
      },
      direction: signal.direction,
      quantity: 0,
      entryFills: [],
      exitFills: [],
      exitAttempts: 0,
      stopHistory: [],
      paused: false,
    });
  }

  setPhase(phase: Phase, details: Record<string, unknown> = {}): void {
    this.state.phase = phase;
    upsertSearchAttributes([{ key: PhaseKey, value: phase }]);
    log.info(`phase ${phase}`, { positionId: this.state.positionId, phase, ...details });
  }

  setTradingSymbol(symbol: string): void {
    upsertSearchAttributes([{ key: TradingSymbolKey, value: symbol }]);
  }

  setOutcome(outcome: Outcome): void {
    upsertSearchAttributes([{ key: OutcomeKey, value: outcome }]);
  }

  markExitBlocked(reason: string | undefined): void {
    if (this.state.exitBlocked === reason) return;
    this.state.exitBlocked = reason;
    upsertSearchAttributes([{ key: ExitBlockedKey, value: reason !== undefined }]);
    if (reason)
      log.error('exit order blocked; retrying', { positionId: this.state.positionId, reason });
  }
}
