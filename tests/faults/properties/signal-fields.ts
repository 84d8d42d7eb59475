/**
 * What "an error naming the field" means for a signal, as an oracle shared by
 * the schema and webhook properties: an error line starts with a path the
 * schema knows, or with the path of a key the input really has that the
 * schema does not, or with "(signal)" when the whole input is not an object.
 */
const DISTANCE = ['points', 'pct'];
const OBJECT_FIELDS: Record<string, string[]> = {
  '': [
    'id',
    'underlying',
    'direction',
    'strategy',
    'strength',
    'expectedMovePct',
    'referencePrice',
    'exits',
    'createdAt',
  ],
  exits: ['stopLoss', 'target', 'trailing', 'maxHoldMinutes'],
  'exits.stopLoss': [...DISTANCE, 'underlyingLevel'],
  'exits.target': [...DISTANCE, 'underlyingLevel'],
  'exits.trailing': ['activation', 'distance', 'step'],
  'exits.trailing.activation': DISTANCE,
  'exits.trailing.distance': DISTANCE,
  'exits.trailing.step': DISTANCE,
};
const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);

const KNOWN_PATHS = new Set(
  Object.entries(OBJECT_FIELDS).flatMap(([parent, keys]) => keys.map((k) => join(parent, k))),
);

const childKeys = (input: unknown, parent: string): string[] => {
  const node = (parent ? parent.split('.') : []).reduce<unknown>(
    (n, k) => (typeof n === 'object' && n !== null ? (n as Record<string, unknown>)[k] : undefined),
    input,
  );
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? Object.keys(node) : [];
};

export function namesSignalField(error: string, input: unknown): boolean {
  if (error.startsWith('(signal): ')) return true;
  const [path] = error.split(': ', 1);
  if (KNOWN_PATHS.has(path) && error.length > path.length + 2) return true;
  return Object.keys(OBJECT_FIELDS).some((parent) =>
    childKeys(input, parent).some((k) => error === `${join(parent, k)}: unknown field`),
  );
}
