/**
 * An agent's API key for the mediated inbound path (MCP tools and GPT Actions): who it is, which connection it
 * acts on, what it may read and write, and its limits. The key itself (`zgm_<id>_<secret>`) is shown once at
 * creation; only its SHA-256 is stored. Scopes and allow-lists are checked before any Zoho call.
 */

/** What a key may do. Modules and fields are Zoho API names; `*` in a module list means every module. */
export interface KeyScopes {
  /** CRM modules the key may read (search, get, describe): `["*"]` or `["Leads", "Deals"]`. */
  crmRead: string[];
  /**
   * CRM modules the key may write (update, and notes and tasks on their records), each with the field allow-list
   * of its updates: exact api names or prefix patterns ending in `*` (`AI_*`).
   */
  crmWrite: { module: string; fields: string[] }[];
  /** Desk: read tickets, add private comments, save draft replies, and send replies (never without `send`). */
  desk: { read: boolean; comment: boolean; draft: boolean; send: boolean };
  /** May read the status of the pipeline's jobs (ingest job ids); a key always reads its own calls and proposals. */
  jobsRead: boolean;
}

export interface ApiKeyRecord {
  /** The key's public id: 12 characters `[a-z0-9]`, the middle part of `zgm_<id>_<secret>`. */
  id: string;
  /** A person's name for it (`sales-gpt`): 1-64 characters `[A-Za-z0-9._-]`. */
  name: string;
  /** The Zoho connection it acts on (one per key). */
  connection: string;
  /** SHA-256 (hex) of the whole key string; compared in constant time. */
  hash: string;
  scopes: KeyScopes;
  /** Writes (updates, notes, tasks, comments, drafts, proposals) per UTC day. */
  writeBudgetPerDay: number;
  /** Tool calls per minute. */
  ratePerMinute: number;
  /** Every write becomes a proposal a person approves (`proposals approve`). */
  proposalsOnly: boolean;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, once revoked: the key answers 401 from then on. */
  revokedAt?: string;
}

/** A key's record without its hash: what `keys list` prints and what a tool may tell an agent. */
export type ApiKeyView = Omit<ApiKeyRecord, "hash">;
