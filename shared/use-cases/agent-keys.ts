/**
 * Agents' API keys as an operator manages them (`keys create|list|revoke`): a key is random, bound to one
 * connection, parsed from the operator's scope grammar, and shown once: only its hash is stored. A revoked key is
 * kept (with `revokedAt`) so `keys list` and the audit log still name it.
 */
import {
  type ApiKeyRecord,
  type ApiKeyView,
  keyIdOf,
  newApiKey,
  parseBudget,
  parseRate,
  parseScopes,
  toView,
} from "../domain/api-key.js";
import { ZohoConnectionSchema } from "../domain/zoho-connection.js";
import { ValidationError } from "../errors.js";
import type { ApiKeyStore } from "../ports/agent-store.js";
import type { Clock } from "../ports/clock.js";

/** What `keys create` takes, in the operator's words (`--scopes`, `--allow`, `--write-budget 200/day`, `--rate 60/min`). */
export interface CreateApiKeyInput {
  name: string;
  connection: string;
  scopes: string;
  allow: string[];
  /** @default "100/day" */
  writeBudget?: string;
  /** @default "60/min" */
  rate?: string;
  proposalsOnly?: boolean;
}

export const DEFAULT_WRITE_BUDGET = "100/day";
export const DEFAULT_RATE = "60/min";

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID = /^[a-z0-9]{12}$/;

/**
 * Creates a key. Every input is checked before anything is stored (a refusal is a ValidationError naming the
 * input); the key string is returned once and is nowhere else afterwards.
 */
export async function createApiKey(
  store: ApiKeyStore,
  input: CreateApiKeyInput,
  clock: Clock,
): Promise<{ key: string; record: ApiKeyView }> {
  if (!KEY_NAME.test(input.name))
    throw new ValidationError("a key's name is 1-64 characters of A-Z a-z 0-9 . _ - (like sales-gpt)", [
      { path: "name", message: "1-64 characters of A-Z a-z 0-9 . _ -" },
    ]);
  if (!ZohoConnectionSchema.shape.name.safeParse(input.connection).success)
    throw new ValidationError(
      "a connection name is 1-63 characters of a-z 0-9 - starting with a letter or digit (like default)",
      [{ path: "connection", message: "not a connection name" }],
    );
  const scopes = parseScopes(input.scopes, input.allow);
  const writeBudgetPerDay = parseBudget(input.writeBudget ?? DEFAULT_WRITE_BUDGET);
  const ratePerMinute = parseRate(input.rate ?? DEFAULT_RATE);
  const { key, id, hash } = newApiKey();
  const record: ApiKeyRecord = {
    id,
    name: input.name,
    connection: input.connection,
    hash,
    scopes,
    writeBudgetPerDay,
    ratePerMinute,
    proposalsOnly: input.proposalsOnly ?? false,
    createdAt: new Date(clock.now()).toISOString(),
  };
  await store.put(record);
  return { key, record: toView(record) };
}

/** Every key, revoked ones included, oldest first, without their hashes. */
export async function listApiKeys(store: ApiKeyStore): Promise<ApiKeyView[]> {
  return (await store.list()).map(toView);
}

/**
 * Revokes a key by its id (or by the whole key string, which an operator may have at hand): from then on it
 * answers 401. False when there is no such key or it was already revoked.
 */
export async function revokeApiKey(store: ApiKeyStore, idOrKey: string, clock: Clock): Promise<boolean> {
  const id = keyIdOf(idOrKey) ?? idOrKey;
  if (!KEY_ID.test(id)) return false;
  return store.revoke(id, new Date(clock.now()).toISOString());
}
