import { z } from 'zod';
import { configSchema } from './schema';

/** Unwraps optional/default wrappers down to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/**
 * Every settable key path of the configuration, objects included, e.g.
 * `risk`, `risk.maxOpenPositions`, `entry.strike`. Used to check that an
 * environment variable someone writes (compose files, CI) names a real key.
 */
export function configKeyPaths(
  schema: z.ZodType = configSchema,
  prefix: string[] = [],
): string[][] {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return [];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) => {
    const at = [...prefix, key];
    return [at, ...configKeyPaths(child, at)];
  });
}
