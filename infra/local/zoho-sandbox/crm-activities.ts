/**
 * Notes and Tasks as records with a parent (checklist item 15): a note's `Parent_Id: {module: {api_name}, id}`, a
 * task's `What_Id` with `$se_module` naming the parent module, and its `Who_Id` (the contact). Each must exist.
 */
import type { Crm } from "./crm.js";
import { type ItemResult, itemError } from "./crm-validation.js";
import { findModule, type ModuleMeta } from "./metadata.js";
import type { Row } from "./query.js";

/** Notes: `Parent_Id: {module: {api_name}, id}`; an unknown parent is INVALID_DATA on `Parent_Id`. */
export function insertNote(
  crm: Crm,
  module: ModuleMeta,
  row: Row,
  index: number,
  userId: string,
): ItemResult {
  const parent = row.Parent_Id as { module?: { api_name?: string }; id?: string } | string | undefined;
  const parentModule =
    typeof parent === "object" ? parent?.module?.api_name : (row.se_module as string | undefined);
  const parentId = typeof parent === "object" ? parent?.id : parent;
  const target = parentModule ? findModule(crm.modules, parentModule) : undefined;
  const found = target && typeof parentId === "string" ? crm.find(target.api_name, parentId) : undefined;
  if (!target || !found) {
    return itemError("INVALID_DATA", "invalid data", {
      api_name: "Parent_Id",
      json_path: `$.data[${index}].Parent_Id`,
    });
  }
  const { Parent_Id: _ignored, ...rest } = row;
  return crm.insertOne(module, rest, index, userId, {
    Parent_Id: {
      module: { api_name: target.api_name, id: target.id },
      id: parentId,
      name: String(found.Full_Name ?? found.Account_Name ?? found.Deal_Name ?? ""),
    },
    $se_module: target.api_name,
  });
}

/** Tasks: `What_Id: {id}` with `$se_module` naming the parent module; both must resolve. */
export function insertTask(
  crm: Crm,
  module: ModuleMeta,
  row: Row,
  index: number,
  userId: string,
): ItemResult {
  const what = row.What_Id as { id?: string } | string | undefined;
  const extra: Row = {};
  if (what !== undefined) {
    const id = typeof what === "object" ? what?.id : what;
    const se = typeof row.$se_module === "string" ? findModule(crm.modules, row.$se_module) : undefined;
    const found = se && typeof id === "string" ? crm.find(se.api_name, id) : undefined;
    if (!se || !found)
      return itemError("INVALID_DATA", "invalid data", {
        api_name: "What_Id",
        json_path: `$.data[${index}].What_Id`,
      });
    extra.What_Id = { id, name: String(found.Full_Name ?? found.Account_Name ?? found.Deal_Name ?? "") };
    extra.$se_module = se.api_name;
  }
  const who = row.Who_Id;
  if (who !== undefined && who !== null) {
    const checked = whoId(crm, who, index);
    if (!checked.ok) return checked;
    extra.Who_Id = checked.value;
  }
  const { What_Id: _w, Who_Id: _h, ...rest } = row;
  return crm.insertOne(module, rest, index, userId, extra);
}

/**
 * A task's `Who_Id` (`{id}` or the id): a record of one of the modules `taskWhoModules` names. Zoho's field is the
 * task's contact; whether it also takes a lead is UNCONFIRMED (the notes' §2.9 says "Contact/Lead"), so that is a
 * setting. The errors are those of any lookup field.
 */
function whoId(crm: Crm, who: unknown, index: number): { ok: true; value: Row } | { ok: false; error: Row } {
  const id =
    typeof who === "string" ? who : typeof who === "object" ? (who as { id?: unknown }).id : undefined;
  const bad = (extra: Row = {}) =>
    itemError("INVALID_DATA", "invalid data", {
      api_name: "Who_Id",
      json_path: `$.data[${index}].Who_Id`,
      ...extra,
    });
  if (typeof id !== "string" || !/^\d{1,19}$/.test(id)) return bad({ expected_data_type: "jsonobject" });
  const found = crm.ctx.options.taskWhoModules.map((m) => crm.find(m, id)).find((r) => r !== undefined);
  if (!found) return bad();
  return {
    ok: true,
    value: { id, name: String(found.Full_Name ?? found.Account_Name ?? found.Deal_Name ?? "") },
  };
}
