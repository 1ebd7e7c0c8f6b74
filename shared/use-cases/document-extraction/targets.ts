/**
 * Where extracted values go: one output target per document type's scalar value, with a default field and what kind
 * of field can hold it. The org's field map (`DOCUMENT_FIELD_MAP`, target key -> field api name) moves them; the
 * worker binds them to the live fields of the target record's own module on each unit (a value whose module has no
 * usable field goes to the summary note instead). All targets are optional: a document always yields its note.
 * `doctor` and `fields create` check and create them on Deals, the module contracts and proposals usually belong to.
 *
 * Every default is an `AI_` field of its own, never a standard one (Amount, Email): the loop guard treats the
 * mapped fields as the mediator's, and a person's edit of a standard field must still trigger other use cases.
 * Mapping a value onto a standard field is the org's choice (DOCUMENT_FIELD_MAP, with LOOP_GUARD_CRM_FIELDS).
 */
import type { OutputTarget, UseCaseMapping } from "../../domain/output-targets.js";
import type { DocumentType } from "./schemas.js";

/** The target key's prefix per document type (`contract_amount`, `statement_closing_balance`). */
export const TARGET_PREFIX: Record<DocumentType, string> = {
  contract: "contract",
  "application-form": "application",
  "bank-statement": "statement",
  proposal: "proposal",
};

type Kind = "date" | "amount" | "text" | "long" | "email" | "phone" | "currency";

const ACCEPTS: Record<Kind, OutputTarget["accepts"]> = {
  date: ["date"],
  amount: ["double", "integer"],
  text: ["text", "textarea"],
  long: ["textarea", "text"],
  email: ["email", "text"],
  phone: ["phone", "text"],
  currency: ["text", "picklist"],
};

const CREATE: Record<Kind, NonNullable<OutputTarget["create"]>> = {
  date: { dataType: "date" },
  amount: { dataType: "double" },
  text: { dataType: "text", length: 255 },
  long: { dataType: "textarea", length: 2000 },
  email: { dataType: "text", length: 255 },
  phone: { dataType: "text", length: 50 },
  currency: { dataType: "text", length: 3 },
};

const t = (type: DocumentType, key: string, field: string, kind: Kind, intent: string): OutputTarget => ({
  key: `${TARGET_PREFIX[type]}_${key}`,
  field,
  required: false,
  intent,
  accepts: ACCEPTS[kind],
  create: CREATE[kind],
});

export const DOCUMENT_TARGETS: readonly OutputTarget[] = [
  t("contract", "parties", "AI_Contract_Parties", "long", "the contracting parties"),
  t("contract", "effective_date", "AI_Contract_Start", "date", "the contract's effective date"),
  t("contract", "end_date", "AI_Contract_End", "date", "the contract's end date"),
  t("contract", "renewal_terms", "AI_Renewal_Terms", "long", "the contract's renewal terms"),
  t("contract", "amount", "AI_Contract_Amount", "amount", "the contract value"),
  t("contract", "currency", "AI_Contract_Currency", "currency", "the contract value's currency"),
  t("application-form", "applicant_name", "AI_Applicant_Name", "text", "the applicant's full name"),
  t("application-form", "applicant_email", "AI_Applicant_Email", "email", "the applicant's e-mail address"),
  t("application-form", "applicant_phone", "AI_Applicant_Phone", "phone", "the applicant's phone number"),
  t("application-form", "applicant_company", "AI_Applicant_Company", "text", "the applicant's company"),
  t("application-form", "applicant_address", "AI_Applicant_Address", "long", "the applicant's address"),
  t("application-form", "requested_amount", "AI_Requested_Amount", "amount", "the amount applied for"),
  t("bank-statement", "account_holder", "AI_Account_Holder", "text", "the account holder"),
  t("bank-statement", "bank_name", "AI_Bank_Name", "text", "the bank"),
  t("bank-statement", "period_start", "AI_Statement_Start", "date", "the statement period's first day"),
  t("bank-statement", "period_end", "AI_Statement_End", "date", "the statement period's last day"),
  t("bank-statement", "opening_balance", "AI_Opening_Balance", "amount", "the opening balance"),
  t("bank-statement", "closing_balance", "AI_Closing_Balance", "amount", "the closing balance"),
  t("bank-statement", "currency", "AI_Statement_Currency", "currency", "the account's currency"),
  t("proposal", "client", "AI_Proposal_Client", "text", "the client the proposal is made to"),
  t("proposal", "total_amount", "AI_Proposal_Amount", "amount", "the proposal's total price"),
  t("proposal", "currency", "AI_Proposal_Currency", "currency", "the total's currency"),
  t("proposal", "valid_until", "AI_Proposal_Valid_Until", "date", "the offer's validity date"),
];

export const DOCUMENT_MAPPING: UseCaseMapping = {
  service: "crm",
  module: "Deals",
  targets: DOCUMENT_TARGETS,
  partialOptional: true,
  fieldMapSetting: "DOCUMENT_FIELD_MAP",
};
