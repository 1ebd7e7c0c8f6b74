/**
 * Books comments (checklist item 25, notes §2.5): list (system history entries and added comments, newest first),
 * add, edit and delete on invoices, estimates and sales orders; adding needs `<module>.CREATE`, not UPDATE. System
 * comments cannot be edited or deleted (UNCONFIRMED, a setting). Contacts only list theirs (`contact_comments`); a
 * POST there is 405. Comments are not entity writes: they never run workflow rules.
 */
import type { Router } from "../router.js";
import type { Reply } from "../state.js";
import { booksError, booksOk, commentNotFound, idKey, notFound } from "./errors.js";
import { booksDate } from "./render.js";
import type { BooksCall, BooksPlan, BooksRoute } from "./routes.js";
import type { Books } from "./store.js";
import { type BooksComment, type BooksModule, type BooksOrg, isBooksModule } from "./types.js";

/** "few seconds ago", "5 minutes ago", "3 hours ago", "yesterday", "12 days ago". */
function describe(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "few seconds ago";
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** A comment as the list answers it. */
export function renderComment(books: Books, org: BooksOrg, c: BooksComment): Record<string, unknown> {
  const local = new Date(c.timeMs + org.utc_offset_minutes * 60_000);
  const h = local.getUTCHours();
  const time = `${String(h % 12 || 12).padStart(2, "0")}:${String(local.getUTCMinutes()).padStart(2, "0")} ${h < 12 ? "AM" : "PM"}`;
  return {
    comment_id: c.comment_id,
    [idKey(c.module)]: c.record_id,
    commented_by_id: c.commented_by_id,
    commented_by: c.commented_by,
    comment_type: c.comment_type,
    date: booksDate(c.timeMs, org.utc_offset_minutes),
    date_description: describe(books.now() - c.timeMs),
    time,
    operation_type: c.operation_type,
    transaction_id: "",
    transaction_type: "",
    description: c.description,
    show_comment_to_clients: c.show_comment_to_clients,
  };
}

/** The record's comments, newest first. */
export const commentsOf = (org: BooksOrg, module: BooksModule, id: string): BooksComment[] =>
  [...org.comments.values()]
    .filter((c) => c.module === module && c.record_id === id)
    .sort((a, b) => b.timeMs - a.timeMs || (a.comment_id < b.comment_id ? 1 : -1));

const ADDED: Record<Exclude<BooksModule, "contacts">, string> = {
  invoices: "Comments added.",
  estimates: "Comments added",
  salesorders: "Comments added.",
};

function description(call: BooksCall): string | Reply {
  const text = (call.body as { description?: unknown } | undefined)?.description;
  if (typeof text !== "string" || !text.trim())
    return booksError(400, call.options.booksValidationErrorCode, "Invalid value passed for description");
  return text;
}

function add(call: BooksCall, org: BooksOrg, module: Exclude<BooksModule, "contacts">, id: string): Reply {
  if (!org.records[module].has(id)) return notFound(module);
  const text = description(call);
  if (typeof text !== "string") return text;
  const show = (call.body as { show_comment_to_clients?: unknown }).show_comment_to_clients === true;
  const comment = call.books.addComment(org, module, id, {
    description: text,
    comment_type: "internal",
    operation_type: "Added",
    by: call.userId,
    show,
  });
  // Invoices and estimates answer no id (re-list to find it); sales orders answer the comment (notes §2.5).
  const extra = module === "salesorders" ? { comment: [renderComment(call.books, org, comment)] } : {};
  return booksOk(ADDED[module], extra, 201);
}

function edit(call: BooksCall, org: BooksOrg, module: BooksModule, id: string, commentId: string): Reply {
  if (!org.records[module].has(id)) return notFound(module);
  const comment = org.comments.get(commentId);
  if (!comment || comment.module !== module || comment.record_id !== id) return commentNotFound();
  if (comment.comment_type === "system" && call.options.booksSystemCommentsImmutable)
    return booksError(
      400,
      call.options.booksValidationErrorCode,
      "System generated comments cannot be edited or deleted.",
    );
  if (call.method === "DELETE") {
    org.comments.delete(commentId);
    return booksOk("The comment has been deleted.");
  }
  const text = description(call);
  if (typeof text !== "string") return text;
  comment.description = text;
  const show = (call.body as { show_comment_to_clients?: unknown }).show_comment_to_clients;
  if (typeof show === "boolean") comment.show_comment_to_clients = show;
  return booksOk("Comment has been updated.", { comment: renderComment(call.books, org, comment) });
}

const plan = (
  module: string | undefined,
  op: string,
  run: (module: BooksModule, org: BooksOrg) => Reply,
  contacts = false,
): BooksPlan | undefined => {
  if (!isBooksModule(module) || (module === "contacts" && !contacts)) return undefined;
  return { scope: `ZohoBooks.${module}.${op}`, run: (org) => run(module, org) };
};

/** Registers this surface's routes with the Books router (routes.ts). */
export function registerCommentRoutes(router: Router<BooksRoute>): void {
  router
    .on("GET", ":module/:id/comments", (call, p) =>
      plan(
        p.module,
        "READ",
        (module, org) => {
          const id = p.id ?? "";
          if (!org.records[module].has(id)) return notFound(module);
          const comments = commentsOf(org, module, id).map((c) => renderComment(call.books, org, c));
          if (module !== "contacts") return booksOk("success", { comments });
          return booksOk("success", {
            contact_comments: comments,
            page_context: { page: 1, per_page: 200, has_more_page: false },
          });
        },
        true,
      ),
    )
    .on("POST", ":module/:id/comments", (call, p) =>
      plan(p.module, "CREATE", (module, org) =>
        add(call, org, module as Exclude<BooksModule, "contacts">, p.id ?? ""),
      ),
    )
    .on("PUT", ":module/:id/comments/:comment", (call, p) =>
      plan(p.module, "UPDATE", (module, org) => edit(call, org, module, p.id ?? "", p.comment ?? "")),
    )
    .on("DELETE", ":module/:id/comments/:comment", (call, p) =>
      plan(p.module, "DELETE", (module, org) => edit(call, org, module, p.id ?? "", p.comment ?? "")),
    );
}
