/**
 * An agent's API key for the mediated inbound path (MCP tools and GPT Actions): who it is, which connection it
 * acts on, what it may read and write, and its limits. The key itself (`zgm_<id>_<secret>`) is shown once at
 * creation; only its SHA-256 is stored. Scopes and allow-lists are checked before any Zoho call.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../errors.js";

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

/** The key string: `zgm_<id>_<secret>`, id 12 characters `[a-z0-9]`, secret 32 random bytes in base64url. */
export const KEY_PATTERN = /^zgm_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A Zoho module's api name, as scopes and tools accept it. */
export const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
/** A field's api name, as allow-lists and tools accept it. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
/** A field api name, or a prefix of one ending in `*` (`AI_*`): what `--allow` takes. */
const FIELD_PATTERN = new RegExp(`${FIELD_NAME.source}|^[A-Za-z][A-Za-z0-9_]{0,98}\\*$`);

/**
 * A random id of `length` characters `[a-z0-9]`, without modulo bias (bytes >= 252 are drawn again): key ids, and
 * the tool calls' and proposals' ids.
 */
export function randomId(length: number): string {
  let id = "";
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 252) continue;
      id += ID_ALPHABET[byte % 36];
      if (id.length === length) break;
    }
  }
  return id;
}

/** SHA-256 (hex) of the whole key string: what the store keeps instead of the key. */
export const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/** A new key: the string to show once, its public id, and the hash to store. */
export function newApiKey(): { key: string; id: string; hash: string } {
  const id = randomId(12);
  const key = `zgm_${id}_${randomBytes(32).toString("base64url")}`;
  return { key, id, hash: hashKey(key) };
}

/** The public id of a presented key, or undefined when it is not a key string at all (never looked up then). */
export function keyIdOf(presented: string): string | undefined {
  return KEY_PATTERN.exec(presented)?.[1];
}

/** Whether the presented key is the record's: hashes compared in constant time. */
export function keyMatches(record: Pick<ApiKeyRecord, "hash">, presented: string): boolean {
  const expected = Buffer.from(record.hash, "hex");
  const actual = Buffer.from(hashKey(presented), "hex");
  // A stored hash that is not 32 bytes of hex can match nothing (and timingSafeEqual needs equal lengths).
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The agents table of a stage, as CDK names it and the CLI finds it. */
export const agentTableName = (stage: string): string => `zoho-gpt-mediator-${stage}-agents`;

/** A key's record without its hash. */
export function toView(record: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = record;
  return view;
}

const SCOPE_FORMS =
  "crm.read, crm.read:<Module>, crm.write:<Module>, desk.read, desk.comment, desk.draft, desk.send, jobs.read";

/** An operator's input, quoted in a message: cut so a pasted essay does not flood the terminal. */
const quote = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);

const refuse = (path: string, message: string): never => {
  throw new ValidationError(message, [{ path, message }]);
};

/**
 * Parses `--scopes` (comma-separated) and `--allow` patterns into a key's scopes. Grammar: `crm.read` (every
 * module), `crm.read:<Module>`, `crm.write:<Module>` (implies reading it), `desk.read`, `desk.comment`,
 * `desk.draft`, `desk.send` (implies draft), `jobs.read`. Allow patterns: a field api name or a prefix ending in
 * `*`, optionally `<Module>.<pattern>` for one module; unqualified ones apply to every written module. A write
 * scope that would allow no field is refused, as is a pattern for a module the key does not write: a key says
 * exactly what it may do. Throws ValidationError (400) naming the bad item.
 */
export function parseScopes(scopes: string, allow: readonly string[]): KeyScopes {
  const items = scopes.split(",").map((s) => s.trim());
  if (items.length === 1 && items[0] === "")
    refuse("scopes", `no scopes given: name at least one of ${SCOPE_FORMS}`);
  const read = new Set<string>();
  let readAll = false;
  const write: string[] = [];
  const desk = { read: false, comment: false, draft: false, send: false };
  let jobsRead = false;
  for (const [i, item] of items.entries()) {
    if (item === "") refuse("scopes", `empty scope at position ${i + 1} (a stray comma?)`);
    const colon = item.indexOf(":");
    const [kind, module] = colon < 0 ? [item, undefined] : [item.slice(0, colon), item.slice(colon + 1)];
    if (module !== undefined && (kind === "crm.read" || kind === "crm.write")) {
      if (!MODULE_NAME.test(module))
        refuse("scopes", `scope ${quote(item)}: ${quote(module)} is not a module api name (like Leads)`);
      if (kind === "crm.write" && !write.includes(module)) write.push(module);
      read.add(module);
      continue;
    }
    switch (item) {
      case "crm.read":
        readAll = true;
        break;
      case "crm.write":
        refuse(
          "scopes",
          "scope crm.write needs a module (crm.write:Leads): a key writes only the modules it names, nothing would be writable",
        );
        break;
      case "desk.read":
      case "desk.comment":
      case "desk.draft":
        desk[item.slice(5) as "read" | "comment" | "draft"] = true;
        break;
      case "desk.send":
        desk.send = true;
        desk.draft = true;
        break;
      case "jobs.read":
        jobsRead = true;
        break;
      default:
        refuse("scopes", `unknown scope ${quote(item)}: one of ${SCOPE_FORMS}`);
    }
  }
  const patterns = parseAllow(allow, write);
  const crmWrite = write.map((module) => {
    const fields = [
      ...new Set(patterns.filter((p) => p.module === undefined || p.module === module).map((p) => p.field)),
    ];
    if (fields.length === 0)
      refuse(
        "allow",
        `scope crm.write:${module} has no --allow pattern for ${module}: nothing would be writable (give --allow AI_*,Description or ${module}.<Field>)`,
      );
    return { module, fields };
  });
  return { crmRead: readAll ? ["*"] : [...read], crmWrite, desk, jobsRead };
}

/**
 * `--allow` items (each may itself be comma-separated). Unqualified patterns on a key that writes nothing are
 * harmless (they allow nothing), so they are accepted; a qualified one naming a module the key does not write is
 * refused: the operator believes a field writable that is not.
 */
function parseAllow(allow: readonly string[], written: string[]): { module?: string; field: string }[] {
  const items = allow
    .flatMap((a) => a.split(","))
    .map((a) => a.trim())
    .filter((a) => a !== "");
  return items.map((item) => {
    const dot = item.indexOf(".");
    const [module, field] = dot < 0 ? [undefined, item] : [item.slice(0, dot), item.slice(dot + 1)];
    if (item === "*" || field === "*")
      refuse("allow", `allow pattern ${quote(item)} would allow every field: name fields or a prefix (AI_*)`);
    if (!FIELD_PATTERN.test(field))
      refuse(
        "allow",
        `allow pattern ${quote(item)}: not a field api name or a prefix ending in * (like AI_* or Description)`,
      );
    if (module === undefined) return { field };
    if (!MODULE_NAME.test(module))
      refuse("allow", `allow pattern ${quote(item)}: ${quote(module)} is not a module api name`);
    if (!written.includes(module))
      refuse(
        "allow",
        `allow pattern ${quote(item)} names ${module}, but no scope crm.write:${module} is given`,
      );
    return { module, field };
  });
}

/** Scopes written back in `--scopes` form (what `keys create` and `keys list` print). */
export function formatScopes(scopes: KeyScopes): string {
  const written = new Set(scopes.crmWrite.map((w) => w.module));
  return [
    ...(scopes.crmRead.includes("*")
      ? ["crm.read"]
      : scopes.crmRead.filter((m) => !written.has(m)).map((m) => `crm.read:${m}`)),
    ...scopes.crmWrite.map((w) => `crm.write:${w.module}`),
    ...(scopes.desk.read ? ["desk.read"] : []),
    ...(scopes.desk.comment ? ["desk.comment"] : []),
    ...(scopes.desk.send ? ["desk.send"] : scopes.desk.draft ? ["desk.draft"] : []),
    ...(scopes.jobsRead ? ["jobs.read"] : []),
  ].join(",");
}

function parseLimit(value: string, unit: "day" | "min", max: number, what: string): number {
  const match = new RegExp(`^\\s*(\\d{1,9})\\s*/\\s*${unit}\\s*$`).exec(value);
  const n = match ? Number(match[1]) : Number.NaN;
  if (!(n >= 1 && n <= max))
    refuse(
      what,
      `${what} ${quote(value)}: give N/${unit} with N from 1 to ${max} (like ${what === "write budget" ? "200/day" : "60/min"})`,
    );
  return n;
}

/** `--write-budget 200/day` -> 200 (writes per UTC day, 1..100000). */
export const parseBudget = (value: string): number => parseLimit(value, "day", 100_000, "write budget");

/** `--rate 60/min` -> 60 (tool calls per minute, 1..10000). */
export const parseRate = (value: string): number => parseLimit(value, "min", 10_000, "rate");

/** The scopes a tool may need (ToolScope in shared/tools/definition.ts: the domain imports nothing outside it). */
export type ScopeNeed = "crm.read" | "crm.write" | "desk.read" | "desk.comment" | "desk.draft" | "jobs";

/** Whether the key may read the CRM module (a written module is read too). */
export const mayReadModule = (scopes: KeyScopes, module: string): boolean =>
  scopes.crmRead.includes("*") || scopes.crmRead.includes(module) || mayWriteModule(scopes, module);

/** Whether the key may write the CRM module (updates, and notes and tasks on its records). */
export const mayWriteModule = (scopes: KeyScopes, module: string): boolean =>
  scopes.crmWrite.some((w) => w.module === module);

/** Whether one allow pattern takes the field: the exact api name, or a prefix ending in `*` (case-sensitive). */
export const patternMatches = (pattern: string, field: string): boolean =>
  pattern.endsWith("*") ? field.startsWith(pattern.slice(0, -1)) : pattern === field;

/** Whether the key may write the field of the module: the module is written and a pattern of it takes the field. */
export const fieldAllowed = (scopes: KeyScopes, module: string, field: string): boolean =>
  scopes.crmWrite.some((w) => w.module === module && w.fields.some((p) => patternMatches(p, field)));

/** Whether the key has what a tool needs (module and field checks come after, per call). */
export function hasScope(scopes: KeyScopes, scope: ScopeNeed): boolean {
  switch (scope) {
    case "crm.read":
      return scopes.crmRead.length > 0 || scopes.crmWrite.length > 0;
    case "crm.write":
      return scopes.crmWrite.length > 0;
    case "desk.read":
      return scopes.desk.read;
    case "desk.comment":
      return scopes.desk.comment;
    case "desk.draft":
      return scopes.desk.draft || scopes.desk.send;
    case "jobs":
      return true;
  }
}
