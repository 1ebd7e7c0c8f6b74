/**
 * CRM record attachments (zoho/crm-oas v8.0 attachments.json): `GET /{module}/{id}/Attachments` lists a record's
 * attachments and `GET /{module}/{id}/Attachments/{attachment_id}` downloads one file's bytes with its content type.
 * Scope: the module's READ and `ZohoCRM.modules.attachments.READ` (`ZohoCRM.modules.ALL` covers both). Answers, as
 * the OAS gives them: an unknown module is 400 INVALID_MODULE, an unknown record 400 INVALID_DATA ("the related id
 * given seems to be invalid"), an unknown attachment 204, a link attachment 400 DOWNLOAD_NOT_ALLOWED. Whether the
 * list needs `fields` and answers an empty list with 200 or 204 are UNCONFIRMED (settings in config.ts).
 */
import { attachmentItem, attachmentsOf } from "../attachments.js";
import type { Crm } from "../crm.js";
import { fieldList, invalidModule, page } from "../crm-reads.js";
import { findModule, type ModuleMeta } from "../metadata.js";
import type { Router } from "../router.js";
import { crmError, json, type Reply } from "../state.js";
import type { CrmRoute } from "./crm.js";

/** The parent module and record, or the error Zoho answers for them. */
function parent(crm: Crm, moduleName: string, id: string): ModuleMeta | Reply {
  const module = findModule(crm.modules, moduleName);
  if (!module) return invalidModule();
  if (!crm.find(module.api_name, id))
    return crmError(400, "INVALID_DATA", "the related id given seems to be invalid", {
      resource_path_index: 1,
    });
  return module;
}

function list(crm: Crm, moduleName: string, id: string, query: Record<string, string>): Reply {
  const module = parent(crm, moduleName, id);
  if ("status" in module) return module;
  const { attachmentListRequiresFields, attachmentListEmptyStatus } = crm.ctx.options;
  if (attachmentListRequiresFields && !query.fields)
    return crmError(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", {
      param_name: "fields",
    });
  const rows = attachmentsOf(crm, module.api_name, id).map((a) => attachmentItem(crm, a));
  if (rows.length === 0 && attachmentListEmptyStatus === 200)
    return json(200, {
      data: [],
      info: {
        per_page: 200,
        next_page_token: null,
        count: 0,
        page: 1,
        previous_page_token: null,
        page_token_expiry: null,
        more_records: false,
      },
    });
  return page(rows, { ...query, sort_order: query.sort_order ?? "asc" }, fieldList(query));
}

function download(crm: Crm, moduleName: string, id: string, attachmentId: string): Reply {
  const module = parent(crm, moduleName, id);
  if ("status" in module) return module;
  const attachment = crm.attachments.get(attachmentId);
  if (!attachment || attachment.module !== module.api_name || attachment.recordId !== id)
    return { status: 204 };
  if (attachment.linkUrl)
    return crmError(400, "DOWNLOAD_NOT_ALLOWED", "As it is a linked attachment, you can not download it");
  return {
    status: 200,
    body: attachment.bytes,
    headers: {
      "content-type": attachment.contentType,
      "content-disposition": contentDisposition(attachment.fileName),
    },
  };
}

/** `attachment; filename="..."`, with an RFC 5987 `filename*` when the name is not plain ASCII. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return ascii === fileName
    ? `attachment; filename="${fileName}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Registers this surface's routes with the CRM router (routes/crm.ts), in the order they must be tried. */
export function registerAttachmentRoutes(router: Router<CrmRoute>): void {
  const scopes = (mod: (name: string) => string, module: string) => ({
    required: [`ZohoCRM.modules.${mod(module)}.READ`],
    alsoRequired: ["ZohoCRM.modules.attachments.READ"],
  });
  router
    .on("GET", ":module/:id/Attachments", ({ query, mod, state }, { module, id }) => ({
      ...scopes(mod, module as string),
      run: () => list(state.crm, module as string, id as string, query),
    }))
    .on("GET", ":module/:id/Attachments/:attachment", ({ mod, state }, { module, id, attachment }) => ({
      ...scopes(mod, module as string),
      run: () => download(state.crm, module as string, id as string, attachment as string),
    }));
}
