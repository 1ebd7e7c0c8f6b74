/** A secret value and the version it came from. */
export interface SecretValue {
  value: string;
  versionId: string;
}

/**
 * Secrets port. Reads are cached with a TTL by the adapter; `fresh: true` bypasses the cache (used when a cached
 * token was refused). Writes create a new version that becomes current, the old one kept as previous.
 */
export interface SecretStore {
  get(name: string, options?: { fresh?: boolean }): Promise<SecretValue>;
  put(name: string, value: string): Promise<{ versionId: string }>;
  /** Creates the secret when it does not exist yet, else writes a new version (the `auth` command). */
  upsert(name: string, value: string): Promise<{ versionId: string; created: boolean }>;
}
