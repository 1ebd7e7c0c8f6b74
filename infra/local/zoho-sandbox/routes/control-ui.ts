/**
 * Controls for what a person does in Zoho's UI (`{url}/_sandbox/...`): create or edit a CRM record (which fires
 * workflow rules like any user edit), read a record as stored, attach a file to a record, email support (a new
 * ticket or a reply on one), and read a ticket with its threads and comments.
 */
import { addAttachment } from "../attachments.js";
import { findModule } from "../metadata.js";
import type { Router } from "../router.js";
import { json } from "../state.js";
import type { ControlRoute } from "./control.js";

/** Registers the UI controls with the control router. */
export function registerUiControls(router: Router<ControlRoute>): void {
  router
    .on("POST", "crm/:module", ({ body, state }, { module }) =>
      state.crm.write(module as string, "insert", { data: [body ?? {}] }, state.crm.users[0]?.id ?? "", "ui"),
    )
    .on("PUT", "crm/:module/:id", ({ body, state }, { module, id }) =>
      state.crm.write(
        module as string,
        "update",
        { data: [body ?? {}] },
        state.crm.users[0]?.id ?? "",
        "ui",
        id,
      ),
    )
    .on("GET", "records/:module/:id", ({ state }, { module, id }) => {
      const mod = findModule(state.crm.modules, module as string);
      const rec = mod ? state.crm.find(mod.api_name, id as string) : undefined;
      return rec ? json(200, rec) : json(404, { error: "not found" });
    })
    // Attach a file (`content_base64` or `text`) or a link (`link_url`) to a record, as a person does in the UI;
    // the CRM API serves it at `GET /crm/v8/{module}/{id}/Attachments[/{attachment_id}]`.
    .on("POST", "attachments", ({ body, state }) => {
      const fileName = typeof body?.file_name === "string" ? body.file_name : "";
      if (!fileName || typeof body?.module !== "string" || typeof body?.record_id !== "string")
        return json(400, { error: "module, record_id and file_name are required" });
      const bytes =
        typeof body.content_base64 === "string"
          ? Buffer.from(body.content_base64, "base64")
          : Buffer.from(typeof body.text === "string" ? body.text : "", "utf8");
      const attachment = addAttachment(state.crm, {
        module: body.module,
        recordId: body.record_id,
        fileName,
        bytes,
        ...(typeof body.content_type === "string" ? { contentType: body.content_type } : {}),
        ...(typeof body.link_url === "string" ? { linkUrl: body.link_url } : {}),
      });
      if (!attachment) return json(404, { error: "no such record" });
      return json(200, {
        id: attachment.id,
        module: attachment.module,
        record_id: attachment.recordId,
        file_name: attachment.fileName,
        content_type: attachment.contentType,
        size: attachment.bytes.length,
      });
    })
    // A customer emails support: a new ticket (Ticket_Add) or a reply on an existing one (Ticket_Thread_Add).
    .on("POST", "desk/tickets", ({ body, state }) => {
      const email = String(body?.email ?? "customer@example.com");
      let contact = state.desk.contacts.find((c) => c.email === email);
      if (!contact) {
        contact = {
          id: state.ctx.ids.next(),
          firstName: String(body?.first_name ?? ""),
          lastName: String(body?.last_name ?? email.split("@")[0]),
          email,
        };
        state.desk.contacts.push(contact);
      }
      const text = String(body?.description ?? "");
      return state.desk.createTicket(
        {
          subject: body?.subject,
          description: text,
          contactId: contact.id,
          departmentId: state.desk.departments[0]?.id,
          channel: "Email",
        },
        undefined,
        { from: email, content: text },
      );
    })
    .on("POST", "desk/tickets/:id/inbound", ({ body, state }, { id }) => {
      const thread = state.desk.inboundReply(
        id as string,
        String(body?.from ?? "customer@example.com"),
        String(body?.content ?? ""),
      );
      return thread ? json(200, thread) : json(404, { error: "no such ticket" });
    })
    .on("GET", "desk/tickets/:id", ({ state }, { id }) => {
      const t = state.desk.tickets.get(id as string);
      if (!t) return json(404, { error: "no such ticket" });
      const threads = [...state.desk.threads.values()].filter((th) => th.ticketId === t.id);
      const comments = [...state.desk.comments.values()].filter((c) => c.ticketId === t.id);
      return json(200, { ticket: t, threads, comments });
    });
}
