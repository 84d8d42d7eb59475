/**
 * Output for people and for scripts: aligned tables and `key  value` blocks
 * by default, one JSON document with `--json`. Commands build the data once
 * and hand both renderings here, so the two never disagree.
 */

export interface Column<Row> {
  header: string;
  value: (row: Row) => unknown;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

const cell = (value: unknown): string =>
  value === undefined || value === null || value === '' ? '-' : String(value);

export function table<Row>(columns: Column<Row>[], rows: Row[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((line) => line[i].length)),
  );
  const render = (line: string[]) =>
    line
      .map((text, i) =>
        columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [render(columns.map((c) => c.header)), ...cells.map(render)].join('\n');
}

/** `label  value` lines with the labels aligned; undefined values are skipped. */
export function keyValues(pairs: [string, unknown][]): string {
  const present = pairs.filter(([, v]) => v !== undefined);
  const width = Math.max(0, ...present.map(([k]) => k.length));
  return present.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n');
}

/** Rupees with two decimals and an explicit sign, so a P&L column scans at a glance. */
export const money = (value: number | undefined): string | undefined =>
  value === undefined ? undefined : `${value > 0 ? '+' : ''}${value.toFixed(2)}`;

export const price = (value: number | undefined): string | undefined => value?.toFixed(2);

const IST_OFFSET_MS = 330 * 60_000;

/** Operators read times in IST whatever the machine's zone is. */
export const istTime = (at: Date | number | undefined): string | undefined =>
  at === undefined
    ? undefined
    : new Date(new Date(at).getTime() + IST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

export interface Output {
  json: boolean;
  /** Prints `data` as JSON, or the human rendering of it. */
  emit(data: unknown, human: () => string): void;
}

export const createOutput = (
  json: boolean,
  write = (s: string) => process.stdout.write(s),
): Output => ({
  json,
  emit(data: unknown, human: () => string) {
    write(`${json ? JSON.stringify(data, null, 2) : human()}\n`);
  },
});
