/** Zoho's batch limit: at most 100 records, notes or tasks per call. */
export const ZOHO_BATCH_LIMIT = 100;

/** Items grouped by `keyOf` (in first-seen order), each group cut into chunks of at most `size`. */
export function chunksOf<T>(items: readonly T[], keyOf: (item: T) => string, size = ZOHO_BATCH_LIMIT): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()].flatMap((g) =>
    Array.from({ length: Math.ceil(g.length / size) }, (_, i) => g.slice(i * size, i * size + size)),
  );
}
