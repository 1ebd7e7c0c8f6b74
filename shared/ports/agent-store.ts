/**
 * The mediated inbound path's state: agents' API keys, their rate and write-budget counters, proposals waiting
 * for a person, and the audit log of every tool call. One DynamoDB table in AWS (`TOOLS_TABLE`, partition key
 * `id`, TTL `expiresAt`: `shared/adapters/dynamodb/agent-store.ts`); in memory in unit tests (`test/fakes/`).
 */
import type { ApiKeyRecord } from "../domain/api-key.js";

export interface ApiKeyStore {
  /** Stores a new key; refuses (throws ValidationError 422) an id that exists. */
  put(key: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked at `at` (ISO 8601); false when there is no such key or it was already revoked. */
  revoke(id: string, at: string): Promise<boolean>;
}

export interface KeyLimits {
  /**
   * Takes one call from the key's fixed window (`windowStart` epoch seconds, `windowSeconds` long); false when the
   * window already holds `limit` calls. Shared by every container (a conditional counter).
   */
  takeCall(keyId: string, windowStart: number, windowSeconds: number, limit: number): Promise<boolean>;
  /** Takes `n` writes from the key's budget of UTC day `day` (YYYY-MM-DD); false (nothing taken) past `limit`. */
  takeWrites(keyId: string, day: string, n: number, limit: number): Promise<boolean>;
  /** Writes taken from the key's budget of `day` so far. */
  writesUsed(keyId: string, day: string): Promise<number>;
}

/** A write a tool makes (or proposes): the mediator's own shape, checked again when it is carried out. */
export type ToolWrite =
  | { kind: "crm-update"; module: string; id: string; fields: Record<string, unknown> }
  | { kind: "crm-note"; module: string; id: string; title?: string; content: string }
  | {
      kind: "crm-task";
      module: string;
      id: string;
      subject: string;
      /** YYYY-MM-DD. */
      dueDate?: string;
      description?: string;
    }
  | { kind: "desk-comment"; ticketId: string; content: string }
  | { kind: "desk-draft"; ticketId: string; content: string; send: boolean };

/** pending -> approving -> written | failed; pending -> rejected. */
export type ProposalStatus = "pending" | "approving" | "written" | "failed" | "rejected";

export interface Proposal {
  /** `prop_` + 20 characters `[a-z0-9]`. */
  id: string;
  keyId: string;
  keyName: string;
  connection: string;
  /** The tool that proposed it. */
  tool: string;
  write: ToolWrite;
  /** Why the agent proposes it (its own words: data for the reviewer, never instructions). */
  reason?: string;
  status: ProposalStatus;
  createdAt: string;
  decidedAt?: string;
  /** Who approved or rejected it (the operator's name, from the CLI). */
  decidedBy?: string;
  /** What carrying it out did: Zoho's answer in a line, the record written. */
  result?: { ok: boolean; message: string };
}

export interface ProposalStore {
  create(proposal: Proposal): Promise<void>;
  get(id: string): Promise<Proposal | null>;
  /** Newest first; only `status` when given. */
  list(status?: ProposalStatus): Promise<Proposal[]>;
  /**
   * Moves a proposal from `from` to `to` with `patch` in one conditional write; false when it was not in `from`
   * (another approver got there first): the one guarantee that an approval writes exactly once.
   */
  transition(
    id: string,
    from: ProposalStatus,
    to: ProposalStatus,
    patch?: Partial<Pick<Proposal, "decidedAt" | "decidedBy" | "result">>,
  ): Promise<boolean>;
}

/** One tool call as the audit log keeps it: who, what (a digest, never the arguments), and what came of it. */
export interface ToolCallRecord {
  /** `call_` + 20 characters `[a-z0-9]`: the job id every tool answer carries. */
  id: string;
  keyId: string;
  keyName: string;
  connection: string;
  tool: string;
  /** SHA-256 (hex) of the canonical JSON of the arguments. */
  argsDigest: string;
  /** ok: done; proposed: a proposal was stored; refused: 4xx (scope, validation, budget); error: a passing fault. */
  outcome: "ok" | "proposed" | "refused" | "error";
  /** The error's code (`forbidden`, `invalid_arguments`, `rate_limited`, ...), when not ok. */
  code?: string;
  /** The error's message, when not ok (no secrets, no argument values). */
  message?: string;
  /** Zoho API calls the tool made. */
  zohoCalls: number;
  /** Writes it made (0 for reads and proposals). */
  writes: number;
  proposalId?: string;
  /** ISO 8601. */
  at: string;
  durationMs: number;
}

export interface ToolCallLog {
  record(call: ToolCallRecord): Promise<void>;
  get(id: string): Promise<ToolCallRecord | null>;
  /** A key's calls, newest first (at most `limit`, default 50): for the CLI. */
  listByKey(keyId: string, limit?: number): Promise<ToolCallRecord[]>;
}
