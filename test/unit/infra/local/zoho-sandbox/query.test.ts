import { describe, expect, it } from "vitest";
import {
  parseCoql,
  parseCriteria,
  QuerySyntaxError,
  UnknownColumnError,
} from "../../../../../infra/local/zoho-sandbox/query.js";

const fields = new Set(["Last_Name", "Email", "No_of_Employees", "Lead_Source", "Owner"]);
const rows = [
  {
    id: "1",
    Last_Name: "Doe",
    Email: "jd@acme.test",
    No_of_Employees: 50,
    Lead_Source: "Chat",
    Owner: { id: "9", name: "A" },
  },
  {
    id: "2",
    Last_Name: "Roe",
    Email: null,
    No_of_Employees: 5000,
    Lead_Source: "Web Download",
    Owner: { id: "8", name: "B" },
  },
  {
    id: "3",
    Last_Name: "O'Neil",
    Email: "on@x.test",
    No_of_Employees: 300,
    Lead_Source: "Trade Show",
    Owner: { id: "9", name: "A" },
  },
];

describe("search criteria", () => {
  it("combines and/or groups", () => {
    const p = parseCriteria("((Lead_Source:equals:Chat)or(No_of_Employees:greater_than:1000))", fields);

    expect(rows.filter(p).map((r) => r.id)).toEqual(["1", "2"]);
  });

  it("matches starts_with and in, case-insensitively", () => {
    expect(rows.filter(parseCriteria("(Email:starts_with:JD)", fields)).map((r) => r.id)).toEqual(["1"]);
    expect(rows.filter(parseCriteria("(Lead_Source:in:Chat,Trade Show)", fields)).map((r) => r.id)).toEqual([
      "1",
      "3",
    ]);
  });

  it("reads escaped parentheses, commas and backslashes inside a value, as Zoho documents them", () => {
    const named = [...rows, { id: "4", Last_Name: "Acme (EU), Ltd \\ Co", Owner: { id: "8", name: "B" } }];
    const p = parseCriteria(
      "((Last_Name:equals:Acme \\(EU\\)\\, Ltd \\\\ Co)or(Last_Name:equals:Roe))",
      fields,
    );

    expect(named.filter(p).map((r) => r.id)).toEqual(["2", "4"]);
  });

  it("rejects malformed criteria and unknown fields", () => {
    expect(() => parseCriteria("Lead_Source:equals:Chat", fields)).toThrow(QuerySyntaxError);
    expect(() => parseCriteria("(Shoe:equals:9)", fields)).toThrow(UnknownColumnError);
  });
});

describe("COQL subset", () => {
  const of = (m: string) => (m.toLowerCase() === "leads" ? fields : undefined);

  it("parses select, where with nesting, like, in, is null, order by and limit/offset", () => {
    const q = parseCoql(
      "select Last_Name, Email from Leads where (Last_Name like 'O''%' or Lead_Source in ('Chat')) and Email is not null order by No_of_Employees desc limit 1, 10",
      of,
    );

    expect(q).toMatchObject({
      fields: ["Last_Name", "Email"],
      module: "Leads",
      orderBy: { field: "No_of_Employees", desc: true },
      limit: 10,
      offset: 1,
    });
    expect(rows.filter(q.where).map((r) => r.id)).toEqual(["1", "3"]);
  });

  it("compares lookups by id and supports limit ... offset", () => {
    const q = parseCoql("select Last_Name from Leads where Owner = '9' limit 5 offset 2", of);

    expect(rows.filter(q.where).map((r) => r.id)).toEqual(["1", "3"]);
    expect([q.limit, q.offset]).toEqual([5, 2]);
  });

  it("reports the column and the token near a syntax error", () => {
    const error = (() => {
      try {
        parseCoql("select Last_Name from Leads where Email = ", of);
      } catch (e) {
        return e;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect((error as QuerySyntaxError).column).toBeGreaterThan(30);
  });

  it("rejects an unknown module or column", () => {
    expect(() => parseCoql("select a from Widgets", of)).toThrow(UnknownColumnError);
    expect(() => parseCoql("select Shoe from Leads", of)).toThrow(UnknownColumnError);
  });
});
