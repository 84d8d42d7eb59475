/**
 * Rules between keys that each look fine alone. A problem is reported on
 * one path and names the others it depends on (`related`), so the loader can
 * say where every value involved came from.
 */
export interface Inconsistency {
  path: string[];
  message: string;
  related: string[][];
}

type Calendar = 'always-open' | 'ist-hours';

/** The keys these rules read; the full Config satisfies it. */
export interface ConsistencyInput {
  broker: { mode: 'paper' | 'live' | 'signals-only'; restUrl: string; tickerUrl: string };
  exchange: { session: Calendar };
  session: {
    calendar: Calendar;
    open: string;
    close: string;
    noNewEntriesAfter: string;
    squareOffAt: string;
    unknownHolidayYears?: 'refuse' | 'warn';
  };
}

const MODE = ['broker', 'mode'];

/** Zerodha's own hosts: the Kite API, its ticker and its login pages. */
const isKiteHost = (host: string) =>
  ['kite.trade', 'zerodha.com'].some((d) => host === d || host.endsWith(`.${d}`));

// `0.0.0.0` and `[::]` as a destination reach this machine too.
const isLoopbackHost = (host: string) =>
  host === 'localhost' ||
  host.endsWith('.localhost') ||
  /^127\.\d+\.\d+\.\d+$/.test(host) ||
  ['0.0.0.0', '[::1]', '[::]'].includes(host) ||
  host.startsWith('[::ffff:7f');

/** Runs only on a config whose URLs passed the schema (see configSchema). */
const hostOf = (url: string) => new URL(url).hostname.toLowerCase();

function brokerProblems({ broker }: ConsistencyInput): Inconsistency[] {
  const urls = [
    { key: 'restUrl', url: broker.restUrl, scheme: 'https:', example: 'https://api.kite.trade' },
    { key: 'tickerUrl', url: broker.tickerUrl, scheme: 'wss:', example: 'wss://ws.kite.trade' },
  ];
  return urls.flatMap(({ key, url, scheme, example }): Inconsistency[] => {
    const host = hostOf(url);
    if (broker.mode === 'paper' && isKiteHost(host)) {
      return [
        {
          path: ['broker', key],
          message:
            'expected the paper exchange in paper mode, not a Kite host: paper trading against it would place real orders',
          related: [MODE],
        },
      ];
    }
    // Kite is TLS-only; a loopback or plain-text broker can only be a paper exchange.
    if (broker.mode === 'live' && (isLoopbackHost(host) || new URL(url).protocol !== scheme)) {
      return [
        {
          path: ['broker', key],
          message: `expected Kite's ${scheme}// URL (${example}) in live mode, not a loopback or plain-text paper exchange`,
          related: [MODE],
        },
      ];
    }
    return [];
  });
}

function calendarProblems(config: ConsistencyInput): Inconsistency[] {
  if (config.broker.mode !== 'live') return [];
  const message =
    "expected ist-hours in live mode: always-open is the paper exchange's 24x7 session, and live orders outside NSE hours are refused or left hanging";
  return [
    config.session.calendar === 'always-open' && { path: ['session', 'calendar'], message },
    config.exchange.session === 'always-open' && { path: ['exchange', 'session'], message },
    config.session.unknownHolidayYears === 'warn' && {
      path: ['session', 'unknownHolidayYears'],
      message:
        'expected refuse in live mode: on a day the NSE holiday list does not cover, a holiday reads as a trading day',
    },
  ]
    .filter((p): p is { path: string[]; message: string } => p !== false)
    .map((p) => ({ ...p, related: [MODE] }));
}

/**
 * The square-off and the entry cut-off must fall inside the session. Only the
 * ist-hours calendar reads open, close and the cut-off; always-open reads the
 * square-off time alone, so there any time of day is consistent.
 */
function sessionProblems({ session }: ConsistencyInput): Inconsistency[] {
  if (session.calendar !== 'ist-hours') return [];
  const at = (key: keyof ConsistencyInput['session']) => ['session', key];
  // HH:MM is zero-padded (the schema insists), so text order is time order.
  const { open, close, noNewEntriesAfter: cutoff, squareOffAt: squareOff } = session;
  const rules: [broken: boolean, path: string[], message: string, related: string[]][] = [
    [open >= close, at('open'), 'expected a time before session.close', at('close')],
    [
      squareOff >= close,
      at('squareOffAt'),
      'expected a time before session.close: an exit order at or after the close does not trade',
      at('close'),
    ],
    [
      open < close && squareOff <= open,
      at('squareOffAt'),
      'expected a time after session.open: every position would be squared off as it opens',
      at('open'),
    ],
    [
      cutoff > squareOff,
      at('noNewEntriesAfter'),
      'expected a time no later than session.squareOffAt: an entry after the square-off is squared off at once',
      at('squareOffAt'),
    ],
  ];
  return rules
    .filter(([broken]) => broken)
    .map(([, path, message, related]) => ({ path, message, related: [related] }));
}

export const inconsistencies = (config: ConsistencyInput): Inconsistency[] => [
  ...brokerProblems(config),
  ...calendarProblems(config),
  ...sessionProblems(config),
];
