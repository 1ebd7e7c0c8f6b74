/**
 * What a use case is, in one place. Each use case is a folder `shared/use-cases/<name>/` whose `index.ts` exports one
 * `UseCaseDescriptor`, and one line in `catalog.ts` lists it. Everything else derives from the catalog: the ingest
 * routes and their input schemas, the work message's use-case names, the pipeline's registry, the loop guard's
 * field list, the CDK routes, `doctor`'s mapping checks and the README's table of use cases.
 *
 * A descriptor imports only the domain, the ports, prompts and zod: CDK synth and the ingest load it, so it never
 * pulls in an adapter or an SDK.
 */
import type * as z from "zod";
import type { Binding, UseCaseMapping } from "../domain/output-targets.js";
import type { PlannedWrite } from "../domain/planned-write.js";
import type { ZohoField } from "../domain/zoho-field.js";
import type { BooksEntity, ZohoProduct } from "../domain/zoho-products.js";
import type { AppLogger } from "../observability/logger.js";
import type { ZohoBooks } from "../ports/zoho-books.js";
import type { ZohoCreator } from "../ports/zoho-creator.js";
import type { ZohoCrm } from "../ports/zoho-crm.js";
import type { ZohoDesk } from "../ports/zoho-desk.js";
import type { WorkMessage } from "../schemas/work-message.js";

/** How events reach the use case. Every route shares ingest's auth, bounds, rate limits and dedup. */
export interface UseCaseTriggers {
  /**
   * `POST /v1/hooks/crm/<name>`: a CRM workflow webhook for one record (`id`, optional `module`, `modified_time`
   * and custom parameters). The unit's input is `{ module, id, modifiedTime?, params }`.
   */
  crmWorkflow?: {
    defaultModule: string;
    /**
     * Merge fields the workflow's webhook may send (api names, e.g. `Company`, `Modified_Time`): the route moves
     * them out of the custom parameters into the unit's `input.fields` (scalar values only), and the use case uses
     * them instead of reading the record while the trigger is fresh (`WorkContext.triggerFresh`).
     */
    triggerFields?: readonly string[];
    /** The only module the use case works on (a defined use case's): a webhook naming another gets a 422. */
    onlyModule?: boolean;
  };
  /**
   * `POST /v1/hooks/crm/notifications`: Notification API callbacks of these modules become units of this use
   * case (one per record id; deletes and the mediator's own updates are dropped). A module belongs to one use case;
   * a callback of a module no use case lists is acknowledged and counted as ignored.
   */
  crmNotification?: { modules: readonly string[] };
  /**
   * `GET`/`POST /v1/hooks/desk`: Desk webhook events of these types (inbound only) become units of this use case
   * (one per ticket per delivery). An event type belongs to one use case; others are acknowledged as ignored.
   */
  deskWebhook?: { events: readonly string[] };
  /**
   * `POST /v1/hooks/creator/<name>`: a Creator form workflow's Deluge `invokeUrl` for one record of `app`, read and
   * updated through `report` (body `{ id, modified_time?, app?, report? }`; an `app` or `report` other than these
   * is refused). The unit's input is `{ id, modifiedTime? }`.
   */
  creatorWorkflow?: { app: string; report: string };
  /**
   * `POST /v1/hooks/books/<name>`: a Books workflow rule's webhook with its default payload (`{"<entity>": {...}}`)
   * for one entity. `writes`: the custom fields the use case writes. Books runs rules on API writes: a delivery whose
   * only changes are these fields gets the dedup key of the event that caused the write (`shared/ingest/routes/
   * books-webhook.ts`), so the worker claims it as a duplicate.
   */
  booksWebhook?: { entity: BooksEntity; writes: readonly string[] };
  /**
   * `POST /v1/hooks/flow/<name>`: Zoho Flow, n8n, Deluge `invokeUrl`, custom code; the body must fit `schema`.
   * `dedupBy`: the event's own identity in the input (an e-mail's Message-ID), the dedup key when the caller sent
   * no `Idempotency-Key` (else the body's digest).
   */
  flow?: {
    schema: z.ZodType<Record<string, unknown>>;
    dedupBy?: (input: Record<string, unknown>) => string | undefined;
  };
}

/** What a use case's `load`, `plan` and schema see of the world for one unit. */
export interface WorkContext {
  crm: ZohoCrm;
  desk: ZohoDesk;
  creator: ZohoCreator;
  books: ZohoBooks;
  connection: string;
  now: Date;
  /** Live field metadata (cached by the pipeline), e.g. to offer the model exactly Zoho's picklist values. */
  fields(service: ZohoProduct, module: string): Promise<ZohoField[]>;
  /** The use case's targets bound to this org's live fields (when it declares a `mapping`). */
  binding?: Binding;
  /**
   * The fields the trigger carried (the work message's `input.fields`, a Desk event's ticket) may stand in for a
   * read: first delivery, not deferred, not a replay, younger than TRIGGER_FIELDS_MAX_AGE_SECONDS
   * (`shared/pipeline/trigger-freshness.ts`). Absent or false: read the record.
   */
  triggerFresh?: boolean;
  /** The worker's redacting logger, for what a use case notices while loading (at debug). */
  logger?: Pick<AppLogger, "debug">;
}

/** Where the audit trail (and a quarantine note) of a unit goes. */
export type AuditTarget =
  | { service: "crm"; module: string; id: string }
  | { service: "desk"; ticketId: string }
  /** A Creator record (its audit trail is a record in the app's audit form, planned as a write). */
  | { service: "creator"; app: string; report: string; id: string }
  /** A Books entity (its audit trail is a comment, planned as a write). */
  | { service: "books"; entity: BooksEntity; id: string }
  /**
   * The unit's record is not known before writing (an e-mail from an unknown sender): the write cap counts `key`
   * (e.g. `email:<address>`) and no quarantine note is left. A `crm-create` in the plan carries the audit note.
   */
  | { service: "none"; key: string };

/** An image sent with a model call (a scanned page, a photo): base64 bytes, never a URL the model fetches. */
export interface ModelImage {
  mediaType: "image/png" | "image/jpeg";
  base64: string;
}

/**
 * One model call as a use case's `answer` makes it. The pipeline adds the model, the repair attempt, the usage and
 * cost accounting (per call, under `label`, in the stored plan and the job's completion record) and the bound of
 * `MODEL_CONCURRENCY` calls of one unit at once: use-case code may `Promise.all` its map calls freely.
 */
export type ModelAsk = <T extends z.ZodType<Record<string, unknown>>>(request: {
  /** What this call is, e.g. "chunk 3/12", "reduce", "page 2": recorded per call in the job record. */
  label: string;
  /** Instructions. Never contains untrusted text. */
  system: string;
  /** The data, untrusted text only inside `dataBlock`. */
  user: string;
  schema: T;
  images?: ModelImage[] | undefined;
}) => Promise<z.infer<T>>;

/**
 * The pipeline part of a use case: load context through the ports, a versioned prompt, a zod output schema
 * (strict structured output), and the writes it wants. The pipeline does the rest: claim, budgets, the model call
 * and its repair attempt, the write guard, the writes, the audit trail, completion.
 */
export interface UseCaseWork<I = unknown, L = unknown> {
  /** Bumped whenever the prompt or schema changes; recorded in every audit entry. */
  promptVersion: string;
  /** The work message's `input` as this use case reads it (already checked at ingest; checked again here). */
  inputSchema: z.ZodType<I>;
  load(ctx: WorkContext, input: I, message: WorkMessage): Promise<L>;
  /** The output schema for this unit (e.g. enums of the org's own picklist values). */
  schemaFor(loaded: L): z.ZodType<Record<string, unknown>>;
  prompt(loaded: L): { system: string; user: string };
  /**
   * Several model calls for one unit (map-reduce over chunks, one call per page): when present, the pipeline calls
   * this instead of its single ask with `prompt()`/`schemaFor()` (both still used by `doctor` and as documentation
   * of the final shape). Its answer is what `plan` receives.
   */
  answer?(ask: ModelAsk, loaded: L): Promise<Record<string, unknown>>;
  /**
   * Tokens one event may cost at most. With `estimateTokens`, a unit estimated over it is dead-lettered before any
   * model call (never truncated).
   */
  tokenBudgetPerEvent?: number;
  /** The unit's input size in tokens, estimated after `load` (checked against `tokenBudgetPerEvent`). */
  estimateTokens?(loaded: L): number;
  plan(output: Record<string, unknown>, loaded: L, ctx: WorkContext): PlannedWrite[];
  /**
   * What the use case decided for this unit, beyond its writes (e.g. e-mail triage's intent and the rule it applied,
   * including "nothing to write: spam"): kept in the stored plan and the job's completion record.
   */
  outcome?(output: Record<string, unknown>, loaded: L): Record<string, unknown>;
  auditTarget(loaded: L): AuditTarget;
}

/** Deployment settings a use case's work is built with. */
export interface UseCaseSettings {
  /** Target key -> field api name over the defaults, from the use case's `fieldMapSetting` variable. */
  fieldMap: Record<string, string>;
  /**
   * The worker's settings as deployed (its environment: names and numbers, never secrets), from which a use case
   * parses its own (e.g. TRANSCRIPT_TOKEN_BUDGET) with zod: a use case never reads `process.env` itself.
   */
  raw?: Readonly<Record<string, string | undefined>>;
}

export interface UseCaseDescriptor {
  /**
   * Kebab-case, unique in the catalog (`checkCatalog`); the route segment, the work message's `useCase`, metric and
   * alarm dimension.
   */
  name: string;
  /** One line for the README's table of use cases. */
  title: string;
  /** The Zoho product it writes to. */
  service: ZohoProduct;
  triggers: UseCaseTriggers;
  /**
   * Its output targets with their default fields, in the module they live in (`Leads`, Desk `tickets`), and the
   * variable that moves them to other fields (e.g. LEAD_FIELD_MAP). The pipeline binds them, with the deployment's
   * field map applied, to the org's live fields before `load`; `doctor`, `fields create`, the loop guard and the
   * docs derive from them.
   */
  mapping?: UseCaseMapping;
  /**
   * The worker settings it reads from `UseCaseSettings.raw` (e.g. TRANSCRIPT_TOKEN_BUDGET), besides its field map:
   * the CDK worker accepts them in `workerSettings` and checks them at synth by building the use case's work.
   */
  settings?: readonly string[];
  /** Fields it writes besides its targets (the loop guard drops Notification API updates of only these). */
  alsoWrites?: readonly string[];
  /**
   * Builds the pipeline part. Absent: the use case's triggers are accepted and validated at ingest, and its units
   * are dead-lettered with the reason that this release does not process it.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the catalog holds use cases whose input and context types differ
  work?(settings: UseCaseSettings): UseCaseWork<any, any>;
}
