/**
 * The agents table's items as the DynamoDB agent store writes and reads them (`agent-store.ts`): one partition key
 * `id` prefixed by kind (`apikey#`, `rate#`, `budget#`, `proposal#`, `call#`), TTL on `expiresAt`, nested values
 * (scopes, a proposal's write and result) as JSON strings. Items are parsed with zod when read back: the table is a
 * boundary (an older or newer function may have written it), and a malformed item is named, never half-used.
 */
import * as z from "zod";
import type { ApiKeyRecord } from "../../domain/api-key.js";
import { ConfigError } from "../../errors.js";
import type { Proposal, ToolCallRecord, ToolWrite } from "../../ports/agent-store.js";

export const DAY_SECONDS = 86_400;
/** Proposals and tool calls are kept 30 days (after the decision, for a proposal). */
export const KEEP_SECONDS = 30 * DAY_SECONDS;

export const itemId = {
  key: (id: string) => `apikey#${id}`,
  rate: (keyId: string, windowStart: number) => `rate#${keyId}#${windowStart}`,
  budget: (keyId: string, day: string) => `budget#${keyId}#${day}`,
  proposal: (id: string) => `proposal#${id}`,
  call: (id: string) => `call#${id}`,
};

const KeyScopesSchema = z.object({
  crmRead: z.array(z.string()),
  crmWrite: z.array(z.object({ module: z.string(), fields: z.array(z.string()) })),
  desk: z.object({ read: z.boolean(), comment: z.boolean(), draft: z.boolean(), send: z.boolean() }),
  jobsRead: z.boolean(),
});

const ApiKeyItemSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  connection: z.string(),
  hash: z.string(),
  scopes: z.string(),
  writeBudgetPerDay: z.number().int().positive(),
  ratePerMinute: z.number().int().positive(),
  proposalsOnly: z.boolean(),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});

const ToolWriteSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("crm-update"),
    module: z.string(),
    id: z.string(),
    fields: z.record(z.string(), z.unknown()),
  }),
  z.object({
    kind: z.literal("crm-note"),
    module: z.string(),
    id: z.string(),
    title: z.string().optional(),
    content: z.string(),
  }),
  z.object({
    kind: z.literal("crm-task"),
    module: z.string(),
    id: z.string(),
    subject: z.string(),
    dueDate: z.string().optional(),
    description: z.string().optional(),
  }),
  z.object({ kind: z.literal("desk-comment"), ticketId: z.string(), content: z.string() }),
  z.object({ kind: z.literal("desk-draft"), ticketId: z.string(), content: z.string(), send: z.boolean() }),
]);

/** The schema reads back exactly the writes a tool can make (a kind added to one must be added to the other). */
const _everyKindReadBack = (k: ToolWrite["kind"]): z.infer<typeof ToolWriteSchema>["kind"] => k;
void _everyKindReadBack;

const ResultSchema = z.object({ ok: z.boolean(), message: z.string() });

const ProposalItemSchema = z.object({
  proposalId: z.string(),
  keyId: z.string(),
  keyName: z.string(),
  connection: z.string(),
  tool: z.string(),
  write: z.string(),
  reason: z.string().optional(),
  status: z.enum(["pending", "approving", "written", "failed", "rejected"]),
  createdAt: z.string(),
  decidedAt: z.string().optional(),
  decidedBy: z.string().optional(),
  result: z.string().optional(),
});

const CallItemSchema = z.object({
  callId: z.string(),
  keyId: z.string(),
  keyName: z.string(),
  connection: z.string(),
  tool: z.string(),
  argsDigest: z.string(),
  outcome: z.enum(["ok", "proposed", "refused", "error"]),
  code: z.string().optional(),
  message: z.string().optional(),
  zohoCalls: z.number().int().nonnegative(),
  writes: z.number().int().nonnegative(),
  proposalId: z.string().optional(),
  at: z.string(),
  durationMs: z.number().nonnegative(),
});

/** Epoch seconds of an ISO 8601 time plus `seconds` (a TTL). */
export const ttlAfter = (iso: string, seconds: number): number =>
  Math.floor(Date.parse(iso) / 1000) + seconds;

/** Drops undefined values, so an optional property is absent rather than `undefined` (exact optional types). */
const defined = <T extends Record<string, unknown>>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Parses a stored item, naming it (never its values) when it does not fit. */
function parse<S extends z.ZodType>(schema: S, item: Record<string, unknown>, what: string): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(item)"))].join(", ");
  throw new ConfigError(`the agents table's item ${String(item.id)} is not a valid ${what} (${fields})`);
}

/** Parses a JSON-string attribute with its schema (the nested parts of an item). */
function parseJson<S extends z.ZodType>(schema: S, text: string, id: string, what: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`the agents table's item ${id} has a ${what} that is not JSON`);
  }
  return parse(schema, value as Record<string, unknown>, `${what} (in item ${id})`);
}

export function keyToItem(key: ApiKeyRecord): Record<string, unknown> {
  const { id, scopes, ...rest } = key;
  return defined({ id: itemId.key(id), keyId: id, scopes: JSON.stringify(scopes), ...rest });
}

export function keyFromItem(item: Record<string, unknown>): ApiKeyRecord {
  const { keyId, scopes, ...rest } = parse(ApiKeyItemSchema, item, "API key");
  return defined({
    ...rest,
    id: keyId,
    scopes: parseJson(KeyScopesSchema, scopes, String(item.id), "scopes"),
  }) as ApiKeyRecord;
}

export function proposalToItem(p: Proposal): Record<string, unknown> {
  const { id, write, result, ...rest } = p;
  return defined({
    ...rest,
    id: itemId.proposal(id),
    proposalId: id,
    write: JSON.stringify(write),
    result: result === undefined ? undefined : JSON.stringify(result),
    expiresAt: ttlAfter(p.decidedAt ?? p.createdAt, KEEP_SECONDS),
  });
}

export function proposalFromItem(item: Record<string, unknown>): Proposal {
  const { proposalId, write, result, ...rest } = parse(ProposalItemSchema, item, "proposal");
  const id = String(item.id);
  return defined({
    ...rest,
    id: proposalId,
    write: parseJson(ToolWriteSchema, write, id, "write") as ToolWrite,
    result: result === undefined ? undefined : parseJson(ResultSchema, result, id, "result"),
  }) as Proposal;
}

export function callToItem(c: ToolCallRecord): Record<string, unknown> {
  const { id, ...rest } = c;
  return defined({ ...rest, id: itemId.call(id), callId: id, expiresAt: ttlAfter(c.at, KEEP_SECONDS) });
}

export function callFromItem(item: Record<string, unknown>): ToolCallRecord {
  const { callId, ...rest } = parse(CallItemSchema, item, "tool call");
  return defined({ ...rest, id: callId }) as ToolCallRecord;
}
