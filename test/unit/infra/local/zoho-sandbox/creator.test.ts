import { describe, expect, it } from "vitest";
import { CriteriaError, compileCriteria } from "../../../../../infra/local/zoho-sandbox/creator/criteria.js";
import {
  formatDate,
  formatDateTime,
  parseDate,
  parseDateTime,
} from "../../../../../infra/local/zoho-sandbox/creator/dates.js";
import type {
  CreatorApp,
  CreatorFormSpec,
  CreatorRow,
} from "../../../../../infra/local/zoho-sandbox/creator/types.js";
import { withPlaces } from "../../../../../infra/local/zoho-sandbox/creator/values.js";

const berlin12 = { date_format: "MM/dd/yyyy", time_format: "hh:mm:ss a", time_zone: "Europe/Berlin" };
const ny24 = { date_format: "dd-MMM-yyyy", time_format: "HH:mm:ss", time_zone: "America/New_York" };

describe("Creator dates", () => {
  it("writes dates and date-times in the app's format and zone, 12-hour clocks included", () => {
    const noonUtc = Date.UTC(2026, 2, 2, 12, 0, 0);

    expect(formatDate("2026-03-02", "dd-MMM-yyyy")).toBe("02-Mar-2026");
    expect(formatDate("2026-03-02", "MM/dd/yyyy")).toBe("03/02/2026");
    expect(formatDateTime(noonUtc, ny24)).toBe("02-Mar-2026 07:00:00");
    expect(formatDateTime(noonUtc, berlin12)).toBe("03/02/2026 01:00:00 PM");
    expect(formatDateTime(Date.UTC(2026, 2, 1, 23, 30, 0), berlin12)).toBe("03/02/2026 12:30:00 AM");
  });

  it("reads them back to the same instant, across a daylight-saving change", () => {
    for (const at of [
      Date.UTC(2026, 2, 29, 0, 59, 59),
      Date.UTC(2026, 2, 29, 1, 0, 0),
      Date.UTC(2026, 9, 25, 12),
    ])
      for (const app of [berlin12, ny24]) expect(parseDateTime(formatDateTime(at, app), app)).toBe(at);
  });

  it("refuses impossible dates and other formats", () => {
    expect(parseDate("31-Feb-2026", "dd-MMM-yyyy")).toBeUndefined();
    expect(parseDate("2026-02-01", "dd-MMM-yyyy")).toBeUndefined();
    expect(parseDate("01-feb-2026", "dd-MMM-yyyy")).toBe("2026-02-01");
    expect(parseDateTime("03/02/2026 13:00:00 PM", berlin12)).toBeUndefined();
    expect(parseDateTime("03/02/2026 13:00:00", berlin12)).toBeUndefined();
  });

  it("pads decimals to the field's places without going through a double", () => {
    expect(withPlaces("0.8", 2)).toBe("0.80");
    expect(withPlaces("12", 4)).toBe("12.0000");
    expect(withPlaces("-3.5", 0)).toBe("-3");
    expect(withPlaces("123456789012345678.12", 2)).toBe("123456789012345678.12");
  });
});

describe("Creator criteria", () => {
  const form: CreatorFormSpec = {
    link_name: "F",
    display_name: "F",
    fields: [
      { link_name: "A", display_name: "A", kind: "single_line" },
      { link_name: "N", display_name: "N", kind: "number" },
    ],
  };
  const app = { ...ny24, data: { production: {} } } as unknown as CreatorApp;
  const row = (A: string, N: number, ID = "5545974000001000001") =>
    ({ ID, A, N, Added_Time: 0, Modified_Time: 0 }) as CreatorRow;
  const test = (criteria: string, r: CreatorRow) => compileCriteria(criteria, form, app, "production")(r);

  it("binds && tighter than ||, and honours brackets and !", () => {
    expect(test('A == "x" || A == "y" && N > 5', row("x", 1))).toBe(true);
    expect(test('(A == "x" || A == "y") && N > 5', row("x", 1))).toBe(false);
    expect(test('!(A.contains("b")) && N >= 1', row("abc", 1))).toBe(false);
  });

  it("compares IDs as 19-digit numbers without losing digits", () => {
    expect(test("ID == 5545974000001000001", row("x", 1))).toBe(true);
    expect(test("ID == 5545974000001000002", row("x", 1))).toBe(false);
    expect(test("ID > 5545974000001000000", row("x", 1))).toBe(true);
  });

  it.each(['A == "x" &&', "A = 1", 'Nope == "x"', "ID == abc", 'A.contains("x"', 'A == "x" B'])(
    "refuses %s",
    (criteria) => {
      expect(() => test(criteria, row("x", 1))).toThrow(CriteriaError);
    },
  );
});
