/**
 * In-memory agent store with the DynamoDB adapter's semantics (conditional put of a key, counters that refuse past
 * their limit without taking, conditional proposal transitions), for unit tests of the tools and the CLI.
 */
import type { ApiKeyRecord } from "../../shared/domain/api-key.js";
import { ValidationError } from "../../shared/errors.js";
import type {
  ApiKeyStore,
  KeyLimits,
  Proposal,
  ProposalStatus,
  ProposalStore,
  ToolCallLog,
  ToolCallRecord,
} from "../../shared/ports/agent-store.js";

export class MemoryApiKeyStore implements ApiKeyStore {
  readonly items = new Map<string, ApiKeyRecord>();
  /** Every `get` (a test proves a refused call read no more than the key). */
  gets = 0;

  async put(key: ApiKeyRecord): Promise<void> {
    if (this.items.has(key.id))
      throw new ValidationError(`an API key with id ${key.id} exists`, [], { httpStatus: 422 });
    this.items.set(key.id, structuredClone(key));
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    this.gets += 1;
    const key = this.items.get(id);
    return key ? structuredClone(key) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.items.values()]
      .map((k) => structuredClone(k))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const key = this.items.get(id);
    if (!key || key.revokedAt) return false;
    key.revokedAt = at;
    return true;
  }
}

export class MemoryKeyLimits implements KeyLimits {
  readonly counters = new Map<string, number>();

  async takeCall(
    keyId: string,
    windowStart: number,
    _windowSeconds: number,
    limit: number,
  ): Promise<boolean> {
    return this.take(`rate#${keyId}#${windowStart}`, 1, limit);
  }

  async takeWrites(keyId: string, day: string, n: number, limit: number): Promise<boolean> {
    return this.take(`budget#${keyId}#${day}`, n, limit);
  }

  async writesUsed(keyId: string, day: string): Promise<number> {
    return this.counters.get(`budget#${keyId}#${day}`) ?? 0;
  }

  private take(id: string, n: number, limit: number): boolean {
    const used = this.counters.get(id) ?? 0;
    if (used + n > limit) return false;
    this.counters.set(id, used + n);
    return true;
  }
}

export class MemoryProposalStore implements ProposalStore {
  readonly items = new Map<string, Proposal>();

  async create(proposal: Proposal): Promise<void> {
    if (this.items.has(proposal.id)) throw new Error(`proposal ${proposal.id} exists`);
    this.items.set(proposal.id, structuredClone(proposal));
  }

  async get(id: string): Promise<Proposal | null> {
    const p = this.items.get(id);
    return p ? structuredClone(p) : null;
  }

  async list(status?: ProposalStatus): Promise<Proposal[]> {
    return [...this.items.values()]
      .filter((p) => status === undefined || p.status === status)
      .map((p) => structuredClone(p))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async transition(
    id: string,
    from: ProposalStatus,
    to: ProposalStatus,
    patch: Partial<Pick<Proposal, "decidedAt" | "decidedBy" | "result">> = {},
  ): Promise<boolean> {
    const p = this.items.get(id);
    if (!p || p.status !== from) return false;
    Object.assign(p, structuredClone(patch), { status: to });
    return true;
  }
}

export class MemoryToolCallLog implements ToolCallLog {
  readonly items = new Map<string, ToolCallRecord>();

  async record(call: ToolCallRecord): Promise<void> {
    this.items.set(call.id, structuredClone(call));
  }

  async get(id: string): Promise<ToolCallRecord | null> {
    const c = this.items.get(id);
    return c ? structuredClone(c) : null;
  }

  async listByKey(keyId: string, limit = 50): Promise<ToolCallRecord[]> {
    return [...this.items.values()]
      .filter((c) => c.keyId === keyId)
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }
}

/** The four stores together, as the tools' deps take them. */
export const memoryAgentStore = () => ({
  keys: new MemoryApiKeyStore(),
  limits: new MemoryKeyLimits(),
  proposals: new MemoryProposalStore(),
  calls: new MemoryToolCallLog(),
});
