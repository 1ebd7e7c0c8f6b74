/**
 * Books organizations and custom-field settings (checklist items 16 and 26): `GET /organizations` (the one call
 * without `organization_id`: it is how a client learns it; only the orgs of the token's user in this DC),
 * `GET /organizations/{id}`, `GET /settings/fields?entity=` (`{fields: [...]}`), the legacy
 * `GET /settings/customfields?entity=` (`{customfields: {<entity>: [...]}}`) and `POST /settings/fields`, which
 * needs `ZohoBooks.settings.CREATE`.
 */
import type { Router } from "../router.js";
import type { Reply } from "../state.js";
import { booksError, booksOk } from "./errors.js";
import type { BooksCall, BooksRoute } from "./routes.js";
import {
  BOOKS_MODULES,
  type BooksCustomField,
  type BooksEntity,
  type BooksFieldType,
  type BooksOrg,
} from "./types.js";

/** Entities `settings/fields` accepts; those the sandbox does not hold have no custom fields. */
const ENTITIES = [...Object.values(BOOKS_MODULES), "item", "bill", "expense", "creditnote", "purchaseorder"];
const CREATABLE: BooksFieldType[] = [
  "string",
  "multiline",
  "dropdown",
  "number",
  "decimal",
  "amount",
  "percent",
  "date",
  "check_box",
  "email",
  "url",
  "phone",
];

export function renderOrg(org: BooksOrg, isDefault: boolean): Record<string, unknown> {
  return {
    organization_id: org.organization_id,
    name: org.name,
    is_default_org: isDefault,
    plan_name: org.plan_name,
    currency_code: org.currency_code,
    currency_symbol: org.currency_symbol,
    time_zone: org.time_zone,
    date_format: "yyyy-MM-dd",
    is_org_active: true,
    version: "global",
  };
}

export const renderField = (f: BooksCustomField): Record<string, unknown> => ({
  field_id: f.customfield_id,
  is_custom_field: true,
  ...f,
});

const mine = (call: BooksCall) =>
  [...call.books.orgs.values()].filter((o) => o.dc === call.dc && o.members.includes(call.userId));

const invalid = (call: BooksCall, key: string): Reply =>
  booksError(400, call.options.booksValidationErrorCode, `Invalid value passed for ${key}`);

function createField(call: BooksCall, org: BooksOrg): Reply {
  const input = (call.body ?? {}) as Record<string, unknown>;
  const entity = input.entity as BooksEntity;
  if (!Object.values(BOOKS_MODULES).includes(entity)) return invalid(call, "entity");
  if (typeof input.label !== "string" || !input.label.trim()) return invalid(call, "label");
  if (!CREATABLE.includes(input.data_type as BooksFieldType)) return invalid(call, "data_type");
  const label = input.label.trim();
  const apiName = `cf_${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "")}`;
  const siblings = org.fields.filter((f) => f.entity === entity);
  if (siblings.some((f) => f.label === label || f.api_name === apiName))
    return booksError(
      400,
      call.options.booksValidationErrorCode,
      `A custom field named ${label} already exists.`,
    );
  const values = Array.isArray(input.values)
    ? (input.values as { name?: unknown; is_active?: unknown }[])
    : [];
  if (input.data_type === "dropdown" && values.length === 0) return invalid(call, "values");
  const field: BooksCustomField = {
    customfield_id: call.books.nextId(),
    entity,
    index: siblings.length + 1,
    label,
    api_name: apiName,
    data_type: input.data_type as BooksFieldType,
    is_active: true,
    is_mandatory: input.is_mandatory === true,
    show_on_pdf: input.show_on_pdf === true,
    placeholder: typeof input.placeholder === "string" ? input.placeholder : apiName,
    ...(typeof input.value_length === "number" ? { value_length: input.value_length } : {}),
    ...(typeof input.decimal_precision === "number" ? { decimal_precision: input.decimal_precision } : {}),
    ...(values.length
      ? {
          values: values.map((v, i) => ({
            name: String(v.name ?? ""),
            order: i + 1,
            is_active: v.is_active !== false,
          })),
        }
      : {}),
  };
  org.fields.push(field);
  return booksOk("Custom field has been created.", { customfield: renderField(field) }, 201);
}

/** Registers this surface's routes with the Books router (routes.ts). */
export function registerSettingsRoutes(router: Router<BooksRoute>): void {
  router
    .on("GET", "organizations", (call) => ({
      scope: "ZohoBooks.settings.READ",
      global: () => booksOk("success", { organizations: mine(call).map((o, i) => renderOrg(o, i === 0)) }),
    }))
    .on("GET", "organizations/:id", (call, p) => ({
      scope: "ZohoBooks.settings.READ",
      global: () => {
        const org = mine(call).find((o) => o.organization_id === p.id);
        return org
          ? booksOk("success", { organization: renderOrg(org, true) })
          : booksError(
              call.options.booksOrgNotAssociatedStatus,
              6041,
              `This user is not associated with the CompanyID/CompanyName:${p.id}.`,
            );
      },
    }))
    .on("GET", "settings/fields", (call) => ({
      scope: "ZohoBooks.settings.READ",
      run: (org) => {
        const entity = call.query.entity;
        if (!entity || !ENTITIES.includes(entity)) return invalid(call, "entity");
        const fields = org.fields.filter((f) => f.entity === entity).sort((a, b) => a.index - b.index);
        return booksOk("success", { fields: fields.map(renderField) });
      },
    }))
    .on("POST", "settings/fields", (call) => ({
      scope: "ZohoBooks.settings.CREATE",
      run: (org) => createField(call, org),
    }))
    .on("GET", "settings/customfields", (call) => ({
      scope: "ZohoBooks.settings.READ",
      run: (org) => {
        const entity = call.query.entity;
        if (entity !== undefined && !ENTITIES.includes(entity)) return invalid(call, "entity");
        const entities = entity ? [entity] : Object.values(BOOKS_MODULES);
        const customfields = Object.fromEntries(
          entities.map((e) => [e, org.fields.filter((f) => f.entity === e).map(renderField)]),
        );
        return booksOk("success", { customfields });
      },
    }));
}
