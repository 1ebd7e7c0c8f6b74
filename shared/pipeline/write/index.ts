/**
 * The write stage: one writer per kind of planned write. CRM kinds first, batched across the batch's units (the
 * creates, the updates, then notes and tasks), then the audit notes of units whose CRM writes are all done, then
 * the units' Desk, Creator and Books steps, each unit's in order. Progress is stored with one `savePlans` per kind
 * of write (per round for Desk, Creator and Books). Adding a kind of write: a writer here (see `shared/domain/planned-write.ts`).
 */
import { writeAuditNotes } from "../audit.js";
import type { Unit } from "../unit.js";
import { writeBooksUnits } from "./books.js";
import { writeCreatorUnits } from "./creator.js";
import { writeCrmCreates, writeCrmNotes, writeCrmTasks, writeCrmUpdates } from "./crm.js";
import { writeDeskUnits } from "./desk.js";
import type { WriteStage } from "./stage.js";

export type { WriteStage } from "./stage.js";

export async function writeUnits(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  // Creates first: a later note or task of the same plan may name the record a create makes (`fromStep`).
  await writeCrmCreates(stage, units);
  await writeCrmUpdates(stage, units);
  await writeCrmNotes(stage, units);
  await writeCrmTasks(stage, units);
  await writeAuditNotes(stage, units);
  await writeDeskUnits(stage, units);
  await writeCreatorUnits(stage, units);
  await writeBooksUnits(stage, units);
}
