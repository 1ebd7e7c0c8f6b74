/**
 * A Zoho field as the mediator needs it, from CRM `settings/fields`, Desk `organizationFields`, Creator's form
 * fields (meta API) or Books `settings/fields`, whatever the wire shape: the adapters in `shared/adapters/zoho/`
 * translate Zoho's answers into this.
 */
export interface ZohoField {
  name: string;
  type:
    | "text"
    | "textarea"
    | "email"
    | "phone"
    | "website"
    | "integer"
    | "double"
    | "boolean"
    | "date"
    | "datetime"
    | "picklist"
    | "multiselectpicklist"
    | "other";
  length?: number;
  readOnly: boolean;
  /**
   * The org requires a value on create (CRM `system_mandatory`; Desk `isMandatory`; Creator `mandatory`; Books
   * `is_mandatory`).
   */
  mandatory?: boolean;
  picklist?: string[];
}
