import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes the workflows set. The dev server and the
 * docker-compose setup register exactly this list, so the Web UI can filter
 * positions by any of them (e.g. `Phase = "OPEN" AND Underlying = "NIFTY"`).
 */
export const UnderlyingKey = defineSearchAttributeKey('Underlying', SearchAttributeType.KEYWORD);
export const StrategyKey = defineSearchAttributeKey('Strategy', SearchAttributeType.KEYWORD);
export const PhaseKey = defineSearchAttributeKey('Phase', SearchAttributeType.KEYWORD);
export const TradingSymbolKey = defineSearchAttributeKey(
  'TradingSymbol',
  SearchAttributeType.KEYWORD,
);
export const OutcomeKey = defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD);
/** Set while an exit order cannot be placed, so a stuck position stands out in the UI. */
export const ExitBlockedKey = defineSearchAttributeKey('ExitBlocked', SearchAttributeType.BOOL);
/**
 * Set while something after entry keeps failing: the position is still
 * supervised and retrying, but a person should look (`NeedsAttention = true`).
 */
export const NeedsAttentionKey = defineSearchAttributeKey(
  'NeedsAttention',
  SearchAttributeType.BOOL,
);

export const SEARCH_ATTRIBUTES = [
  UnderlyingKey,
  StrategyKey,
  PhaseKey,
  TradingSymbolKey,
  OutcomeKey,
  ExitBlockedKey,
  NeedsAttentionKey,
];

const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export const searchAttributeCliArgs = (): string[] =>
  SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${CLI_TYPE_NAMES[key.type]}`,
  ]);
