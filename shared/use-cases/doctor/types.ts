/** What doctor reports, what it is asked and what it runs on. */
import type { MappingCheck } from "../../domain/field-mapping.js";
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import type { ZohoField } from "../../domain/zoho-field.js";
import type { Clock } from "../../ports/clock.js";
import type { SecretStore } from "../../ports/secret-store.js";
import type { ZohoAdmin } from "../../ports/zoho-admin.js";
import type { ZohoBooks } from "../../ports/zoho-books.js";
import type { ZohoCreator } from "../../ports/zoho-creator.js";
import type { ZohoCrm } from "../../ports/zoho-crm.js";
import type { ZohoDesk } from "../../ports/zoho-desk.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  /** Stable id for scripts and tests, e.g. `token`, `scopes`, `mapping:lead-enrichment:buying_stage`. */
  id: string;
  /** What was checked, for people. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** The exact fix: a command to run, a Zoho setup path, the scope to add. */
  fix?: string;
  /** A problem the product works around: the use case runs without it (still not a pass). */
  optional?: boolean;
}

export interface DoctorReport {
  /** True when no check failed (warnings do not fail the report). */
  ok: boolean;
  checks: DoctorCheck[];
}

/**
 * The field-mapping check (`checkMappings` bound to the use-case registry): one MappingCheck per enabled use case,
 * from the org's live field metadata.
 */
export type MappingCheckFn = (deps: {
  crmFields(module: string): Promise<ZohoField[]>;
  deskFields(module: string): Promise<ZohoField[]>;
  creatorFields?(module: string): Promise<ZohoField[]>;
  booksFields?(entity: string): Promise<ZohoField[]>;
}) => Promise<MappingCheck[]>;

/** One connection's Zoho, as doctor needs it; the caller builds it (token provider, HTTP client, adapters). */
export interface DoctorZoho {
  /**
   * The connection's usable access token and the connection it belongs to: the stored token while it is valid,
   * else one refresh through the refresh use case. Throws the refresh's error (broken, throttled, ...).
   */
  token(): Promise<{ token: string; connection: ZohoConnection }>;
  /** Refreshes `token()` asked for so far (0: the stored token was used, no refresh spent). */
  refreshes(): number;
  admin: Pick<ZohoAdmin, "crmModules" | "deskOrganizations">;
  crm: Pick<ZohoCrm, "fields">;
  desk: Pick<ZohoDesk, "fields" | "replyAddresses">;
  creator: Pick<ZohoCreator, "fields">;
  books: Pick<ZohoBooks, "organizations" | "fields">;
}

export interface DoctorDeps {
  secrets: SecretStore;
  clock: Clock;
  /** The Zoho of the connection stored under this secret name. */
  zohoFor(connectionSecretName: string): DoctorZoho;
  /** Absent: the build has no mapping check, which doctor reports as a failure (it cannot vouch for the mapping). */
  checkMappings?: MappingCheckFn;
}

export interface DoctorInput {
  stage: string;
  connection: string;
  connectionSecretName: string;
  webhookSecretName: string;
  /** The model key secret; null when the model needs none (the local stack's model server or its env key). */
  modelSecretName: string | null;
  /** DESK_FROM_ADDRESS when configured. */
  deskFromAddress?: string;
  /** Notification API channels are configured: the webhook secret must hold their tokens, the token the scope. */
  notifications: boolean;
  /** Flags every suggested command needs to reach the same stage (e.g. `--stage dev --secrets-endpoint ...`). */
  commandFlags: string;
}

/** What every check module is handed: the input, the report to add to, and the fixes it suggests. */
export interface CheckContext {
  input: DoctorInput;
  add(check: DoctorCheck): void;
  /** The auth command that stores this connection again, with what is known of it filled in. */
  authFix(c?: ZohoConnection, desk?: { orgId: string }): string;
  /** Regenerate a grant code with these scopes. */
  scopeFix(scopes: string[], clientId: string): string;
  /** ` <command flags>` or empty. */
  flags: string;
}
