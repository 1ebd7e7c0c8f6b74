/**
 * Record attachments (zoho/crm-oas v8.0 attachments: "Get Attachments" and "Download an Attachment"): files or links
 * attached to a record. The sandbox has no upload API; a test attaches a file through the control surface
 * (`POST /_sandbox/attachments`), as a person would in Zoho's UI.
 */
import type { Attachment, Crm } from "./crm.js";
import { findModule } from "./metadata.js";
import type { Row } from "./query.js";

/** What the control surface takes: the parent record, the file's name and type, and its bytes or a link. */
export interface NewAttachment {
  module: string;
  recordId: string;
  fileName: string;
  contentType?: string;
  bytes?: Buffer;
  linkUrl?: string;
}

/** Attaches a file (or link) to a record; `undefined` when the module or record does not exist. */
export function addAttachment(crm: Crm, input: NewAttachment): Attachment | undefined {
  const module = findModule(crm.modules, input.module);
  if (!module || !crm.find(module.api_name, input.recordId)) return undefined;
  const attachment: Attachment = {
    id: crm.ctx.ids.next(),
    module: module.api_name,
    recordId: input.recordId,
    fileName: input.fileName,
    contentType: input.contentType ?? "application/octet-stream",
    bytes: input.linkUrl ? Buffer.alloc(0) : (input.bytes ?? Buffer.alloc(0)),
    ...(input.linkUrl ? { linkUrl: input.linkUrl } : {}),
    ownerId: crm.users[0]?.id ?? "",
    createdTime: crm.ctx.clock.stamp(),
  };
  crm.attachments.set(attachment.id, attachment);
  return attachment;
}

/** A record's attachments, oldest first. */
export function attachmentsOf(crm: Crm, module: string, recordId: string): Attachment[] {
  return [...crm.attachments.values()].filter((a) => a.module === module && a.recordId === recordId);
}

/** One attachment as "Get Attachments" lists it (OAS `AttachmentObject`). */
export function attachmentItem(crm: Crm, a: Attachment): Row {
  const owner = crm.ref(crm.user(a.ownerId));
  const parent = crm.find(a.module, a.recordId);
  return {
    Owner: owner,
    Modified_Time: a.createdTime,
    File_Name: a.fileName,
    $field_states: null,
    Created_Time: a.createdTime,
    Size: String(a.bytes.length),
    Parent_Id: {
      name: String(parent?.Full_Name ?? parent?.Account_Name ?? parent?.Deal_Name ?? ""),
      id: a.recordId,
    },
    $editable: true,
    $file_id: a.linkUrl ? null : `file_${a.id}`,
    $type: a.linkUrl ? "Link URL" : "File",
    $se_module: a.module,
    Modified_By: owner,
    $state: "save",
    id: a.id,
    Created_By: owner,
    ...(a.linkUrl ? { $link_url: a.linkUrl } : {}),
  };
}
