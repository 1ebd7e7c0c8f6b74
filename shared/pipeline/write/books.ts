/**
 * The Books writers, per unit and in the plan's order: the entity's custom fields (Books runs its workflow rules on
 * API writes: the loop guard is the route's dedup key, `shared/ingest/routes/books-webhook.ts`), then the comment
 * that carries the audit text. Each step is saved as done before the next.
 */
import type { Unit } from "../unit.js";
import { auditWithQuotes, hasJobLine, nextStep, settleStep, writeInRounds } from "./rounds.js";
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
      // A resumed plan's earlier attempt may have posted the comment without recording it: its job line says so.
      if (
        unit.resumed &&
        (await books.listComments(write.entity, write.id)).some((c) => hasJobLine(c, unit))
      ) {
        unit.plan.done.push(index);
        return true;
      }
      const text = auditWithQuotes(unit, "books-update", write.quote);
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
