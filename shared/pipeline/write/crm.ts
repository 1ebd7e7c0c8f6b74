/**
 * The CRM writers: `crm-create` through `ZohoCrm.createRecords` first (a note or task of the same plan may name the
 * record it creates: `{ fromStep }`, resolved from the plan's `created` ids), then `crm-update` through
 * `ZohoCrm.updateRecords`, batched across the batch's units per connection and module in chunks of 100 (the port
 * always sends `"trigger": []`); `crm-note` and `crm-task` through `createNotes`/`createTasks`, batched per
 * connection likewise. Each kind's done steps are recorded in the stored plans (one `savePlans` per kind) before the
 * next kind runs, so a redelivery after a crash never repeats them. A refused item dead-letters its unit with Zoho's
 * code.
 */
import type { PlannedWrite, RecordRef, WriteOf } from "../../domain/planned-write.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { auditText, describeRefusal } from "../audit.js";
import type { Unit } from "../unit.js";
import { chunksOf } from "./batch.js";
import { saveProgress, type WriteStage } from "./stage.js";

type Item<K extends PlannedWrite["kind"]> = { unit: Unit; write: WriteOf<K>; index: number };

const isKind = <K extends PlannedWrite["kind"]>(write: PlannedWrite, kind: K): write is WriteOf<K> =>
  write.kind === kind;

/** A step's record id: as planned, or the id its plan's earlier `crm-create` step created. */
export function resolveRef(unit: Unit, ref: RecordRef): string | undefined {
  return typeof ref === "string" ? ref : unit.plan.created?.[String(ref.fromStep)];
}

/** Escapes a value for Zoho's search criteria (`(`, `)`, `,` and `\` are special). */
const criteriaValue = (v: string) => v.replace(/[\\(),]/g, (c) => `\\${c}`);

/** The steps of kind `kind` not yet done, of units still in the write phase. */
function pendingOf<K extends PlannedWrite["kind"]>(
  stage: WriteStage,
  units: readonly Unit[],
  kind: K,
): Item<K>[] {
  return units.flatMap((unit) =>
    stage.decisions.has(unit.record.messageId)
      ? []
      : unit.plan.writes.flatMap((write, index) =>
          isKind(write, kind) && !unit.plan.done.includes(index) ? [{ unit, write, index }] : [],
        ),
  );
}

/**
 * One chunk through one batch call: results matched to items in order, done steps marked (the caller saves them),
 * refused items dead-lettered (`what` names the step in the reason), a failed call decided for every unit of the
 * chunk. Returns the units with a step newly done.
 */
async function writeChunk<K extends PlannedWrite["kind"]>(
  stage: WriteStage,
  chunk: Item<K>[],
  what: string,
  call: () => Promise<ItemResult[]>,
  onRefused?: (item: Item<K>, result: ItemResult | undefined) => void,
  onWritten?: (item: Item<K>, result: Extract<ItemResult, { ok: true }>) => void,
): Promise<Unit[]> {
  let results: ItemResult[];
  try {
    results = await call();
  } catch (error) {
    for (const { unit } of chunk)
      if (!stage.decisions.has(unit.record.messageId))
        stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
    return [];
  }
  const written = new Set<Unit>();
  for (const [k, item] of chunk.entries()) {
    const r = results[k];
    if (r?.ok) {
      onWritten?.(item, r);
      item.unit.plan.done.push(item.index);
      written.add(item.unit);
    } else if (!stage.decisions.has(item.unit.record.messageId)) {
      onRefused?.(item, r);
      const reason = `Zoho rejected the ${what}: ${describeRefusal(r)}`;
      stage.decisions.set(item.unit.record.messageId, await stage.quarantine(item.unit, reason));
    }
  }
  return [...written];
}

/**
 * `crm-create` steps, batched per connection and module. A resumed plan's create with `existsBy` first searches
 * for the record (the create may have reached Zoho before the attempt died) and takes its id instead of creating a
 * second one. Each created id is stored in the plan (`created`, by step index) with the step marked done.
 */
export async function writeCrmCreates(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  const items: Item<"crm-create">[] = [];
  const moved: Unit[] = [];
  for (const item of pendingOf(stage, units, "crm-create")) {
    const { unit, write, index } = item;
    if (!unit.resumed || !write.existsBy) {
      items.push(item);
      continue;
    }
    try {
      const criteria = `(${write.existsBy.field}:equals:${criteriaValue(write.existsBy.value)})`;
      const [found] = await unit.zoho.crm.search(write.module, { criteria }, 1);
      if (!found) {
        items.push(item);
        continue;
      }
      unit.plan.created = { ...unit.plan.created, [String(index)]: found.id };
      unit.plan.done.push(index);
      moved.push(unit);
    } catch (error) {
      if (!stage.decisions.has(unit.record.messageId))
        stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
    }
  }
  const live = items.filter((it) => !stage.decisions.has(it.unit.record.messageId));
  for (const chunk of chunksOf(live, (it) => `${it.unit.message.connection}|${it.write.module}`)) {
    const [first] = chunk;
    if (!first) continue;
    const records = chunk.map(({ write }) => ({ ...write.proposed }));
    const written = await writeChunk(
      stage,
      chunk,
      "new record",
      () => first.unit.zoho.crm.createRecords(first.write.module, records),
      (item, r) =>
        stage.metadata.invalidateOnRejection(item.unit.message.connection, "crm", item.write.module, r),
      (item, r) => {
        item.unit.plan.created = { ...item.unit.plan.created, [String(item.index)]: r.id };
      },
    );
    moved.push(...written);
  }
  await saveProgress(stage, moved);
}

export async function writeCrmUpdates(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  const { audit } = stage.config;
  const items = pendingOf(stage, units, "crm-update");
  const moved: Unit[] = [];
  for (const chunk of chunksOf(items, (it) => `${it.unit.message.connection}|${it.write.module}`)) {
    const [first] = chunk;
    if (!first) continue;
    const records = chunk.map(({ unit, write }) => ({
      id: write.id,
      ...write.proposed,
      ...(audit.mode === "field" && unit.plan.auditStep.kind === "in-write"
        ? { [audit.field]: auditText(unit.message.useCase, unit.plan.audit, Object.keys(write.proposed)) }
        : {}),
    }));
    const written = await writeChunk(
      stage,
      chunk,
      "update",
      () => first.unit.zoho.crm.updateRecords(first.write.module, records),
      // The org's fields changed under the cached metadata: read them again for the next unit.
      (item, r) =>
        stage.metadata.invalidateOnRejection(item.unit.message.connection, "crm", item.write.module, r),
    );
    moved.push(...written);
  }
  await saveProgress(stage, moved);
}

export async function writeCrmNotes(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  const items = pendingOf(stage, units, "crm-note").filter((it) => resolveRef(it.unit, it.write.id));
  const moved: Unit[] = [];
  for (const chunk of chunksOf(items, (it) => it.unit.message.connection)) {
    const crm = chunk[0]?.unit.zoho.crm;
    if (!crm) continue;
    const notes = chunk.map(({ unit, write }) => ({
      module: write.module,
      recordId: resolveRef(unit, write.id) as string,
      title: write.title,
      content: write.content,
    }));
    moved.push(...(await writeChunk(stage, chunk, "note", () => crm.createNotes(notes))));
  }
  await saveProgress(stage, moved);
}

export async function writeCrmTasks(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  const items = pendingOf(stage, units, "crm-task").filter((it) => resolveRef(it.unit, it.write.id));
  const moved: Unit[] = [];
  for (const chunk of chunksOf(items, (it) => it.unit.message.connection)) {
    const crm = chunk[0]?.unit.zoho.crm;
    if (!crm) continue;
    const tasks = chunk.map(({ unit, write }) => ({
      module: write.module,
      recordId: resolveRef(unit, write.id) as string,
      subject: write.subject,
      ...(write.dueDate ? { dueDate: write.dueDate } : {}),
      ...(write.description ? { description: write.description } : {}),
      ...(write.ownerId ? { ownerId: write.ownerId } : {}),
    }));
    moved.push(...(await writeChunk(stage, chunk, "task", () => crm.createTasks(tasks))));
  }
  await saveProgress(stage, moved);
}
