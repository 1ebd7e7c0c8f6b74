/**
 * Zoho Books v3 behind the `ZohoBooks` port: the token's organizations, one contact, invoice, estimate or sales
 * order, its custom fields written, a comment added and the custom field metadata. The client
 * (zoho-http-client.ts, books-answers.ts) adds `organization_id` to every call but `GET /organizations` and turns
 * Books' codes into the error taxonomy; here Books' refusal of a write (a 400, or a non-zero code) becomes the
 * item's `{ ok: false }` result.
 *
 * Custom fields are written through the entity's custom-fields endpoint, whose path is singular
 * (`PUT /invoice/{id}/customfields`, a JSON array of `{api_name, value}`): the full `PUT /invoices/{id}` would need
 * the invoice's `customer_id` and `line_items` and drops the line items it is not sent. Contacts have no such
 * endpoint: `PUT /contacts/{id}` takes `custom_fields`, and needs `contact_name`, read first. Books has no
 * documented way to keep a write from firing its workflow rules (see the port).
 */
import * as z from "zod";
import type { ZohoField } from "../../domain/zoho-field.js";
import { NotFoundError, UpstreamRejectedError, ValidationError } from "../../errors.js";
import {
  BOOKS_ENTITIES,
  type BooksEntity,
  type BooksOrganization,
  type BooksRecord,
  type ZohoBooks,
} from "../../ports/zoho-books.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { BOOKS_OK } from "./books-answers.js";
import { parseBooksFields } from "./field-metadata-wire.js";
import { checkedId, requireId, writtenFieldNamed } from "./wire.js";
import { codeText, numericCode } from "./zoho-answers.js";
import type { ZohoHttpClient, ZohoRequest } from "./zoho-http-client.js";

/** Each entity's singular: the answer's key, the `<entity>_id` key, the custom-fields path and `settings/fields`. */
export const BOOKS_SINGULAR: Readonly<Record<BooksEntity, string>> = {
  contacts: "contact",
  invoices: "invoice",
  estimates: "estimate",
  salesorders: "salesorder",
};

const OrganizationsSchema = z.looseObject({
  organizations: z
    .array(
      z.looseObject({ organization_id: z.unknown().optional(), name: z.unknown().optional().optional() }),
    )
    .nullish(),
});
const CustomFieldSchema = z.looseObject({ api_name: z.string(), value: z.unknown().optional() });
const AnswerSchema = z.looseObject({ code: z.unknown().optional(), message: z.unknown().optional() });
/** A comment's answer: sales orders return the comment (`comment: [{comment_id}]`), invoices and estimates don't. */
const CommentAnswerSchema = z.looseObject({ comment: z.unknown().optional() });

function entityOf(entity: BooksEntity): BooksEntity {
  if (!(BOOKS_ENTITIES as readonly string[]).includes(entity))
    throw new ValidationError(`Books entity must be one of ${BOOKS_ENTITIES.join(", ")}`, [
      { path: "entity", message: "unknown entity" },
    ]);
  return entity;
}

export class ZohoBooksHttp implements ZohoBooks {
  constructor(private readonly http: ZohoHttpClient) {}

  async organizations(): Promise<BooksOrganization[]> {
    const res = await this.http.request({ service: "books", method: "GET", path: "/books/v3/organizations" });
    return (OrganizationsSchema.parse(res.data ?? {}).organizations ?? []).map((o) => ({
      id: checkedId(o.organization_id, "zoho-books", "an organization id"),
      name: typeof o.name === "string" ? o.name : "",
    }));
  }

  async getEntity(entity: BooksEntity, id: string): Promise<BooksRecord | null> {
    const singular = BOOKS_SINGULAR[entityOf(entity)];
    try {
      const res = await this.http.request({
        service: "books",
        method: "GET",
        path: `/books/v3/${entity}/${requireId(id, "id")}`,
      });
      const raw = (res.data as Record<string, unknown> | undefined)?.[singular];
      if (!raw || typeof raw !== "object" || Array.isArray(raw))
        throw new UpstreamRejectedError(
          "zoho-books",
          `Zoho Books answered GET ${entity}/${id} without its ${singular}`,
          codeText((res.data as { code?: unknown } | undefined)?.code),
          undefined,
        );
      return booksRecord(singular, raw as Record<string, unknown>);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async updateCustomFields(
    entity: BooksEntity,
    id: string,
    values: Record<string, unknown>,
  ): Promise<ItemResult> {
    const singular = BOOKS_SINGULAR[entityOf(entity)];
    requireId(id, "id");
    const customFields = Object.entries(values).map(([api_name, value]) => ({ api_name, value }));
    if (customFields.length === 0) return { ok: true, id };
    if (entity === "contacts") {
      // `contact_name` is required by Update Contact; the contact's other fields are left out, so they stay.
      const contact = await this.getEntity("contacts", id);
      if (!contact) throw new NotFoundError("zoho-books", `Books has no contact ${id}`, { code: "1002" });
      return this.write(
        {
          service: "books",
          method: "PUT",
          path: `/books/v3/contacts/${id}`,
          body: { contact_name: contact.contact_name, custom_fields: customFields },
        },
        id,
        values,
      );
    }
    return this.write(
      {
        service: "books",
        method: "PUT",
        path: `/books/v3/${singular}/${id}/customfields`,
        body: customFields,
      },
      id,
      values,
    );
  }

  async addComment(entity: BooksEntity, id: string, text: string): Promise<ItemResult> {
    if (entityOf(entity) === "contacts")
      throw new ValidationError(
        "Books contacts take no comments (only invoices, estimates and sales orders)",
        [{ path: "entity", message: "contacts have no comments" }],
      );
    return this.write(
      {
        service: "books",
        method: "POST",
        path: `/books/v3/${entity}/${requireId(id, "id")}/comments`,
        body: { description: text, show_comment_to_clients: false },
      },
      id,
      {},
    );
  }

  async listComments(entity: BooksEntity, id: string): Promise<string[]> {
    if (entityOf(entity) === "contacts") return [];
    const res = await this.http.request({
      service: "books",
      method: "GET",
      path: `/books/v3/${entity}/${requireId(id, "id")}/comments`,
    });
    const list = (res.data as { comments?: unknown } | undefined)?.comments;
    return Array.isArray(list)
      ? list.flatMap((c) =>
          c && typeof c === "object" && typeof (c as { description?: unknown }).description === "string"
            ? [(c as { description: string }).description]
            : [],
        )
      : [];
  }

  async fields(entity: BooksEntity): Promise<ZohoField[]> {
    const res = await this.http.request({
      service: "books",
      method: "GET",
      path: "/books/v3/settings/fields",
      query: { entity: BOOKS_SINGULAR[entityOf(entity)] },
    });
    return parseBooksFields(res.data);
  }

  /**
   * A write whose answer is the item's result: code 0 is success (a comment's id when Books answers one, else the
   * entity's, since invoices and estimates answer none); a 400 or a non-zero code is Books' refusal.
   */
  private async write(req: ZohoRequest, id: string, values: Record<string, unknown>): Promise<ItemResult> {
    try {
      const res = await this.http.request(req);
      const answer = AnswerSchema.safeParse(res.data ?? {});
      const code = answer.success ? answer.data.code : undefined;
      if (numericCode(code) === BOOKS_OK) return { ok: true, id: commentId(res.data) ?? id };
      const message = answer.success ? answer.data.message : undefined;
      return refusal(codeText(code) ?? "NO_RESULT", message, values);
    } catch (error) {
      if (
        error instanceof UpstreamRejectedError &&
        error.constructor === UpstreamRejectedError &&
        error.status === 400
      )
        return refusal(
          error.code ?? "400",
          (error.details as { message?: unknown } | undefined)?.message,
          values,
        );
      throw error;
    }
  }
}

/** A Books entity as answered, with `id` from `<entity>_id` and `customFields` by api name. */
function booksRecord(singular: string, raw: Record<string, unknown>): BooksRecord {
  const customFields: Record<string, unknown> = {};
  for (const item of Array.isArray(raw.custom_fields) ? raw.custom_fields : []) {
    const field = CustomFieldSchema.safeParse(item);
    if (field.success) customFields[field.data.api_name] = field.data.value ?? null;
  }
  return {
    ...raw,
    id: checkedId(raw[`${singular}_id`], "zoho-books", `a ${singular} id`),
    customFields,
  };
}

/** The comment id a sales order's comment answer carries (`comment: [{comment_id}]` or `{comment_id}`), if valid. */
function commentId(body: unknown): string | undefined {
  const parsed = CommentAnswerSchema.safeParse(body ?? {});
  if (!parsed.success) return undefined;
  const comment = Array.isArray(parsed.data.comment) ? parsed.data.comment[0] : parsed.data.comment;
  const raw = (comment as { comment_id?: unknown } | undefined)?.comment_id;
  const id = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
  return typeof id === "string" && /^\d{1,19}$/.test(id) ? id : undefined;
}

/** Books' refusal, naming the field when its message names exactly one of the written api names. */
function refusal(code: string, message: unknown, values: Record<string, unknown>): ItemResult {
  const text =
    typeof message === "string" && message ? message : `Zoho Books refused the write (code ${code})`;
  const field = writtenFieldNamed([text], Object.keys(values));
  return { ok: false, code, message: text, ...(field ? { field } : {}) };
}
