import { log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { orderTag, tagPrefix, type OrderLeg, type TagScheme } from '../domain/order-tag';
import type { Signal } from '../domain/signal';
import {
  ExitBlockedKey,
  NeedsAttentionKey,
  OutcomeKey,
  PhaseKey,
  TradingSymbolKey,
} from './search-attributes';
import { Alerts } from './alerts';
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
  readonly alerts: Alerts;
  /** Triggers armed with an exit intent in this run: numbers each arming's id. */
  arms = 0;

  constructor(
    readonly signal: Signal,
    readonly rules: PositionRules,
    readonly state: PositionState,
  ) {
    // A run carried over from before tag scheme 2 keeps scheme 1: an exit
    // round in flight must find its orders under the tags it sent them with.
    // Patched so histories recorded before the scheme existed replay.
    state.tagScheme ??=
      state.phase === 'VALIDATING' && patched('order-tag-v2')
        ? { version: 2, ...(rules.tagSalt ? { salt: rules.tagSalt } : {}) }
        : { version: 1 };
    // Patched so histories recorded before alerts existed replay without their activities.
    this.alerts = new Alerts(
      this.workflowId,
      (state.alertCounts ??= {}),
      patched('workflow-alerts'),
      rules.simulated ? '[simulated] ' : '',
    );
  }

  /** The ids every alert about this position carries. */
  private get about() {
    return { workflowId: this.workflowId, positionId: this.state.positionId };
  }

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
      ...(rules.simulated && { simulated: true as const }),
    });
  }

  get tagScheme(): TagScheme {
    return this.state.tagScheme!;
  }

  tag(leg: OrderLeg, attempt: number, slice: number): string {
    return orderTag(this.workflowId, leg, attempt, slice, this.tagScheme);
  }

  get tagPrefix(): string {
    return tagPrefix(this.workflowId, this.tagScheme);
  }

  /** Units this position holds by its own fills. */
  get held(): number {
    return this.state.quantity - this.state.exitFills.reduce((s, f) => s + f.quantity, 0);
  }

  /** What every summary says about the position, however it ended. */
  summaryOf(outcome: Outcome) {
    return {
      positionId: this.state.positionId,
      outcome,
      strategy: this.signal.strategy,
      underlying: this.signal.underlying,
      tradingSymbol: this.state.contract?.tradingSymbol,
    };
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
    const was = this.state.exitBlocked;
    this.state.exitBlocked = reason;
    upsertSearchAttributes([{ key: ExitBlockedKey, value: reason !== undefined }]);
    const symbol = this.state.contract?.tradingSymbol ?? this.state.positionId;
    if (reason) {
      log.error('exit order blocked; retrying', { positionId: this.state.positionId, reason });
      if (was === undefined)
        this.alerts.send({
          kind: 'EXIT_BLOCKED',
          severity: 'critical',
          title: `exit of ${symbol} blocked`,
          text: `${reason}. The exit keeps retrying; the position is still held.`,
          ...this.about,
          fields: { held: this.held },
        });
    } else if (was !== undefined) {
      this.alerts.send(
        {
          kind: 'EXIT_UNBLOCKED',
          severity: 'info',
          title: `exit of ${symbol} unblocked`,
          text: `The exit that was blocked (${was}) went through.`,
          ...this.about,
        },
        this.alerts.latest('EXIT_BLOCKED'),
      );
    }
  }

  /** A person should look, though nothing is failing (a charge mismatch, broker excess). */
  notice(title: string, text: string, fields: Record<string, string | number> = {}): void {
    this.alerts.send({
      kind: 'NEEDS_ATTENTION',
      severity: 'warning',
      title,
      text,
      ...this.about,
      fields,
    });
  }

  /** Something keeps failing; the position stays supervised and the step is retried. */
  needsAttention(reason: string): void {
    const previous = this.state.attention;
    this.state.attention = {
      reason,
      since: previous?.since ?? Date.now(),
      failures: (previous?.failures ?? 0) + 1,
    };
    if (!previous) {
      upsertSearchAttributes([{ key: NeedsAttentionKey, value: true }]);
      this.alerts.send({
        kind: 'NEEDS_ATTENTION',
        severity: 'critical',
        title: `${this.state.contract?.tradingSymbol ?? this.state.positionId} needs attention`,
        text: `${reason}. Still supervised and retrying; exits and square-off still act.`,
        ...this.about,
        fields: { phase: this.state.phase },
      });
    }
    if (previous?.reason !== reason)
      log.error('position needs attention; retrying', {
        positionId: this.state.positionId,
        phase: this.state.phase,
        reason,
      });
  }

  attentionResolved(): void {
    if (!this.state.attention) return;
    log.info('position no longer needs attention', {
      positionId: this.state.positionId,
      after: this.state.attention.failures,
    });
    this.state.attention = undefined;
    upsertSearchAttributes([{ key: NeedsAttentionKey, value: false }]);
  }
}
