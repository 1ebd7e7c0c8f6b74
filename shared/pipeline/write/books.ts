/**
 * The Books writers, per unit and in the plan's order: the entity's custom fields (Books runs its workflow rules
 * on API writes: the loop guard is structural, see `shared/domain/loop-guard.ts`), then the comment that carries
 * the audit text. Each step is saved as done before the next.
 */
import { auditText } from "../audit.js";
import { MAX_CONTENT_LENGTH } from "../guard.js";
import type { Unit } from "../unit.js";
import { nextStep, settleStep, writeInRounds } from "./rounds.js";
import type { WriteStage } from "./stage.js";

const isBooksKind = (kind: string) => kind.startsWith("books-");

export const hasBooksWrites = (unit: Unit): boolean => unit.plan.writes.some((w) => isBooksKind(w.kind));

export const writeBooksUnits = (stage: WriteStage, units: readonly Unit[]): Promise<void> =>
  writeInRounds(stage, units, hasBooksWrites, writeNextBooksStep);

async function writeNextBooksStep(stage: WriteStage, unit: Unit): Promise<boolean> {
  const index = nextStep(unit, isBooksKind);
  const write = unit.plan.writes[index];
  if (!write) return false;
  const books = unit.zoho.books;
  try {
    if (write.kind === "books-update") {
      const result = await books.updateCustomFields(write.entity, write.id, write.proposed);
      return await settleStep(stage, unit, index, result, {
        what: `custom fields of ${write.entity} ${write.id}`,
        service: "books",
        module: write.entity,
      });
    }
    if (write.kind === "books-comment") {
      const fields = unit.plan.writes.flatMap((w) =>
        w.kind === "books-update" ? Object.keys(w.proposed) : [],
      );
      const audit = auditText(unit.message.useCase, unit.plan.audit, fields);
      const text = [write.content, audit].filter(Boolean).join("\n\n").slice(0, MAX_CONTENT_LENGTH);
      const result = await books.addComment(write.entity, write.id, text);
      return await settleStep(stage, unit, index, result, {
        what: `comment on ${write.entity} ${write.id}`,
        service: "books",
        module: write.entity,
      });
    }
    return false;
  } catch (error) {
    stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
    return false;
  }
}
