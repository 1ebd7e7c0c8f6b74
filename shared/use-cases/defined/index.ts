/**
 * Use cases defined by configuration: a definition file (`definition.ts`) becomes a UseCaseDescriptor like any
 * built-in one, so its routes, work messages, registry entry, mapping checks (`doctor`) and docs derive the same way.
 */
import * as z from "zod";
import { ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor, UseCaseTriggers } from "../descriptor.js";
import type { UseCaseDefinition } from "./definition.js";
import { definedWork, definitionMapping } from "./work.js";

export { type UseCaseDefinition, UseCaseDefinitionSchema } from "./definition.js";

function triggersOf(d: UseCaseDefinition): UseCaseTriggers {
  const t = d.target;
  switch (t.product) {
    case "crm":
      return {
        crmWorkflow: { defaultModule: t.module, onlyModule: true },
        flow: { schema: z.object({ module: z.literal(t.module).default(t.module), id: ZohoIdInputSchema }) },
      };
    case "creator":
      return { creatorWorkflow: { app: t.app, report: t.report } };
    case "books":
      return { booksWebhook: { entity: t.entity, writes: d.outputs.map((o) => o.field) } };
  }
}

/** The descriptor of a defined use case. */
export function definedUseCase(d: UseCaseDefinition): UseCaseDescriptor {
  return {
    name: d.name,
    title: d.title,
    service: d.target.product,
    triggers: triggersOf(d),
    mapping: definitionMapping(d),
    work: () => definedWork(d),
  };
}
