/**
 * The Creator writers, per unit and in the plan's order: the record's update by ID (the port always sends
 * `skip_workflow: ["form_workflow", "schedules"]`, so the write never re-fires the form's workflow that called the
 * mediator), then its audit record in the app's audit form (`skip_workflow: ["all"]`). Each step is saved as done
 * before the next.
 */
import type { Unit } from "../unit.js";
import { auditWithQuotes, hasJobLine, nextStep, settleStep, writeInRounds } from "./rounds.js";
import type { WriteStage } from "./stage.js";

const isCreatorKind = (kind: string) => kind.startsWith("creator-");

export const hasCreatorWrites = (unit: Unit): boolean => unit.plan.writes.some((w) => isCreatorKind(w.kind));

export const writeCreatorUnits = (stage: WriteStage, units: readonly Unit[]): Promise<void> =>
  writeInRounds(stage, units, hasCreatorWrites, writeNextCreatorStep);

async function writeNextCreatorStep(stage: WriteStage, unit: Unit): Promise<boolean> {
  const index = nextStep(unit, isCreatorKind);
  const write = unit.plan.writes[index];
  if (!write) return false;
  const creator = unit.zoho.creator;
  try {
    if (write.kind === "creator-update") {
      const result = await creator.updateRecord({ app: write.app }, write.report, write.id, write.proposed);
      return await settleStep(stage, unit, index, result, {
        what: `update of ${write.report} ${write.id}`,
        service: "creator",
        module: `${write.app}/${write.form}`,
      });
    }
    if (write.kind === "creator-audit") {
      // A resumed plan's earlier attempt may have added the record without recording it: its job line says so.
      if (unit.resumed) {
        const criteria = `(${write.fields.recordId} == "${write.recordId}")`;
        const { records } = await creator.listRecords({ app: write.app }, write.report, { criteria });
        if (records.some((r) => hasJobLine(String(r[write.fields.text] ?? ""), unit))) {
          unit.plan.done.push(index);
          return true;
        }
      }
      const text = auditWithQuotes(unit, "creator-update", write.quote);
      const result = await creator.addRecord({ app: write.app }, write.form, {
        [write.fields.recordId]: write.recordId,
        [write.fields.useCase]: unit.message.useCase,
        [write.fields.text]: text,
      });
      return await settleStep(stage, unit, index, result, {
        what: `audit record in ${write.form}`,
        service: "creator",
        module: `${write.app}/${write.form}`,
      });
    }
    return false;
  } catch (error) {
    stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
    return false;
  }
}
