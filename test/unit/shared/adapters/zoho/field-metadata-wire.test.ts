/** Zoho's field metadata wire shapes (CRM settings/fields, Desk organizationFields) and refusals that name a field. */
import { describe, expect, it } from "vitest";
import {
  namedField,
  parseCrmFields,
  parseDeskFields,
  rejectedField,
} from "../../../../../shared/adapters/zoho/field-metadata-wire.js";
import { itemResults } from "../../../../../shared/adapters/zoho/wire.js";
import { UpstreamRejectedError } from "../../../../../shared/errors.js";
import { DEMO_DESK_BODY } from "../../../../fixtures/orgs/orgs.js";

describe("Desk field metadata in Zoho's shape", () => {
  it("reads allowedValues given as objects, keeping each entry's value", () => {
    const [status] = parseDeskFields({
      data: [
        {
          apiName: "status",
          type: "Picklist",
          allowedValues: [
            { value: "Open", statusType: "Open" },
            { value: "On Hold", statusType: "On Hold" },
            { value: "Closed", statusType: "Closed" },
          ],
        },
      ],
    });

    expect(status).toEqual({
      name: "status",
      type: "picklist",
      readOnly: false,
      picklist: ["Open", "On Hold", "Closed"],
    });
  });

  it("reads allowedValues given as plain strings", () => {
    const [f] = parseDeskFields({
      data: [{ apiName: "cf_ai_urgency", type: "Picklist", allowedValues: ["P1", "P2"] }],
    });

    expect(f?.picklist).toEqual(["P1", "P2"]);
  });

  it("takes allowedValues: null as no values and maxLength: null as no length", () => {
    const [f] = parseDeskFields({
      data: [
        {
          apiName: "cf_ai_summary",
          type: "Textarea",
          maxLength: null,
          isReadOnly: null,
          allowedValues: null,
        },
      ],
    });

    expect(f).toEqual({ name: "cf_ai_summary", type: "textarea", readOnly: false });
  });

  it("parses a whole answer with the shapes mixed, and keeps lengths where given", () => {
    const fields = parseDeskFields(DEMO_DESK_BODY);

    expect(fields.find((f) => f.name === "cf_ai_summary")).toMatchObject({ type: "textarea", length: 2000 });
    expect(fields.find((f) => f.name === "cf_ai_sentiment")?.picklist).toEqual([
      "Positive",
      "Neutral",
      "Negative",
    ]);
    expect(fields.find((f) => f.name === "cf_ai_urgency")?.picklist).toEqual([
      "Low",
      "Medium",
      "High",
      "Critical",
    ]);
  });

  it("still refuses an answer that is not field metadata", () => {
    expect(() =>
      parseDeskFields({ data: [{ apiName: "x", type: "Picklist", allowedValues: [{ id: 1 }] }] }),
    ).toThrow();
    expect(() => parseDeskFields({ fields: [] })).toThrow();
  });
});

describe("CRM field metadata", () => {
  it("reads types, lengths, read-only flags and picklist actual values, tolerating nulls", () => {
    const fields = parseCrmFields({
      fields: [
        {
          api_name: "AI_ICP_Fit",
          data_type: "picklist",
          length: null,
          pick_list_values: [
            { actual_value: "-None-", display_value: "-None-" },
            { actual_value: "A - Ideal", display_value: null },
          ],
        },
        { api_name: "Created_Time", data_type: "datetime", read_only: true },
        { api_name: "AI_Score_Reason", data_type: "text", length: 255, field_read_only: null },
      ],
    });

    expect(fields).toEqual([
      { name: "AI_ICP_Fit", type: "picklist", readOnly: false, picklist: ["-None-", "A - Ideal"] },
      { name: "Created_Time", type: "datetime", readOnly: true },
      { name: "AI_Score_Reason", type: "text", length: 255, readOnly: false },
    ]);
  });
});

describe("Zoho rejections that name a field", () => {
  it("reads the field from a CRM per-record result and from a Desk error", () => {
    expect(rejectedField("INVALID_DATA", { api_name: "AI_ICP_Fit", json_path: "$.data[0].AI_ICP_Fit" })).toBe(
      "AI_ICP_Fit",
    );
    expect(rejectedField("INVALID_DATA", [{ fieldName: "/cf/cf_ai_urgency", errorType: "invalid" }])).toBe(
      "cf_ai_urgency",
    );
    expect(rejectedField("MANDATORY_NOT_FOUND", { api_name: "Last_Name" })).toBeUndefined();
    expect(rejectedField("INVALID_DATA", {})).toBeUndefined();
    expect(namedField({ api_name: "Last_Name" })).toBe("Last_Name");
    expect(namedField([{ errorType: "invalid" }])).toBeUndefined();
  });
});

describe("per-item results", () => {
  it("answers one result per input, in order: success ids checked, refusals with their field, NO_RESULT", () => {
    const body = {
      data: [
        {
          code: "SUCCESS",
          details: { id: "5545974000000000001" },
          message: "record updated",
          status: "success",
        },
        {
          code: "MANDATORY_NOT_FOUND",
          details: { api_name: "Last_Name", json_path: "$.data[1].Last_Name" },
          message: "required field not found",
          status: "error",
        },
      ],
    };

    expect(itemResults(body, ["5545974000000000001", "2", "3"])).toEqual([
      { ok: true, id: "5545974000000000001" },
      {
        ok: false,
        code: "MANDATORY_NOT_FOUND",
        message: "required field not found",
        field: "Last_Name",
        details: { api_name: "Last_Name", json_path: "$.data[1].Last_Name" },
      },
      { ok: false, code: "NO_RESULT", message: "Zoho answered nothing for item 2" },
    ]);
    expect(() =>
      itemResults({ data: [{ status: "success", details: { id: "1e30" } }] }, [undefined]),
    ).toThrow(UpstreamRejectedError);
  });
});
