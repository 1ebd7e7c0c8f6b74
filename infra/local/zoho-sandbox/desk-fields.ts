/**
 * Desk's org settings as the sandbox serves and enforces them: the ticket fields in Zoho's `organizationFields` shape
 * (standard ones and the profile's `cf_*` fields) and the mail reply addresses, plus Desk's 422 validation error.
 */
import type { DeskCustomFieldSpec } from "./profiles.js";
import { deskError, type Reply } from "./state.js";

/**
 * A Desk mail reply address, as "List MailReplyAddresses" answers it: the Desk OAS (MailReplyAddress
 * `getReplyMailAddresses`) lists id, address, displayName, departmentId, isActive, isVerified, isSmtpEnabled,
 * serviceProviderType and created/modified details; `isDefault` is the sandbox's (the contract's optional key).
 */
export interface MailReplyAddress {
  id: string;
  address: string;
  displayName: string;
  departmentId: string;
  isActive: boolean;
  isVerified: boolean;
  isDefault: boolean;
  isSmtpEnabled: boolean;
  serviceProviderType: "ZohoSMTP";
  createdTime: string;
}

/**
 * One ticket field as `GET /api/v1/organizationFields?module=tickets` answers it: `allowedValues` is a list of
 * objects (`{value}`, plus `statusType` for the status field) or `null`, and `maxLength` is `null` where the field
 * has none (issue 8: public Desk clients read each entry's `value`).
 */
export interface DeskField {
  id: string;
  apiName: string;
  name: string;
  displayLabel: string;
  type: string;
  maxLength: number | null;
  isCustomField: boolean;
  isMandatory: boolean;
  isReadOnly: boolean;
  isEncryptedField: boolean;
  showToHelpCenter: boolean;
  defaultValue: string | null;
  allowedValues: { value: string; statusType?: string }[] | null;
}

const STATUS_VALUES = [
  { value: "Open", statusType: "Open" },
  { value: "On Hold", statusType: "On Hold" },
  { value: "Escalated", statusType: "Open" },
  { value: "Closed", statusType: "Closed" },
];
const PRIORITY_VALUES = ["-None-", "Low", "Medium", "High"];

/** One entry of Desk's `errors` list. */
export type FieldError = { fieldName: string; errorType: "invalid" | "duplicate" | "missing" };

/** Desk's 422 INVALID_DATA with the fields it names. */
export const invalid = (errors: FieldError[]): Reply =>
  deskError(422, "INVALID_DATA", "The data does not comply to the validation restrictions defined.", errors);

/** The ticket fields of an org: Desk's standard ones and the profile's `cf_*` fields, in Zoho's shape. */
export function buildTicketFields(
  idPrefix: string,
  custom: Record<string, DeskCustomFieldSpec>,
): DeskField[] {
  let n = 0;
  const field = (
    apiName: string,
    displayLabel: string,
    type: string,
    maxLength: number | null,
    allowedValues: DeskField["allowedValues"],
    extra: Partial<DeskField> = {},
  ): DeskField => ({
    id: `${idPrefix}0002${String(++n).padStart(8, "0")}`,
    apiName,
    name: apiName,
    displayLabel,
    type,
    maxLength,
    isCustomField: false,
    isMandatory: false,
    isReadOnly: false,
    isEncryptedField: false,
    showToHelpCenter: false,
    defaultValue: null,
    allowedValues,
    ...extra,
  });
  return [
    field("subject", "Subject", "Text", 1000, null, { isMandatory: true }),
    field("description", "Description", "Textarea", 65_535, null),
    field("status", "Status", "Picklist", null, STATUS_VALUES, { defaultValue: "Open" }),
    field(
      "priority",
      "Priority",
      "Picklist",
      null,
      PRIORITY_VALUES.map((value) => ({ value })),
    ),
    field("ticketNumber", "Ticket Id", "Text", 50, null, { isReadOnly: true }),
    ...Object.entries(custom).map(([apiName, spec]) =>
      field(
        apiName,
        spec.displayLabel,
        spec.type,
        spec.maxLength,
        spec.values ? spec.values.map((value) => ({ value })) : null,
        { isCustomField: true },
      ),
    ),
  ];
}
