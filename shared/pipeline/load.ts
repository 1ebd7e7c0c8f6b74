/**
 * The load stage: the unit's input checked against its use case, the use case's mapping bound to the org's live
 * fields (a required field missing makes its events wait), the WorkContext built over the ports, and `work.load`.
 */
import type { AppLogger } from "../observability/logger.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { WorkContext } from "../use-cases/descriptor.js";
import type { FieldMetadataCache } from "./field-metadata-cache.js";
import type { MappingBinder } from "./mapping-binder.js";
import type { RegisteredUseCase } from "./registry.js";
import { isTriggerFresh, type TriggerDelivery } from "./trigger-freshness.js";

export type Loaded =
  | { ok: true; ctx: WorkContext; loaded: unknown }
  /** The input does not fit the use case: the unit is dead-lettered with this reason. */
  | { ok: false; reason: string };

export async function loadUnit(
  deps: { binder: MappingBinder; metadata: FieldMetadataCache; logger?: AppLogger },
  useCase: RegisteredUseCase & { work: NonNullable<RegisteredUseCase["work"]> },
  message: WorkMessage,
  zoho: ZohoPorts,
  now: number,
  delivery?: TriggerDelivery,
): Promise<Loaded> {
  const input = useCase.work.inputSchema.safeParse(message.input);
  if (!input.success)
    return {
      ok: false,
      reason: `input does not fit ${message.useCase}: ${input.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    };
  // The use case's targets bound to the org's live fields; a required one missing makes its events wait.
  const binding = await deps.binder.bind(useCase, message.connection, zoho);
  const ctx: WorkContext = {
    crm: zoho.crm,
    desk: zoho.desk,
    creator: zoho.creator,
    books: zoho.books,
    connection: message.connection,
    now: new Date(now),
    triggerFresh: isTriggerFresh(message, delivery, now),
    ...(deps.logger ? { logger: deps.logger } : {}),
    fields: (service, module) => deps.metadata.fields(zoho, message.connection, service, module),
    ...(binding ? { binding } : {}),
  };
  return { ok: true, ctx, loaded: await useCase.work.load(ctx, input.data, message) };
}
