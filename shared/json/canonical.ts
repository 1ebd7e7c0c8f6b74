/** Canonical JSON: the same value gives the same text whatever its objects' key order (for digests). */

/** `value` with every object's keys sorted, recursively (arrays keep their order). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}
