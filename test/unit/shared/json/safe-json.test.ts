import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonLossless, quoteLongIntegers } from "../../../../shared/json/safe-json.js";

describe("lossless JSON", () => {
  it("keeps a bare 19-digit id exact, as a string", () => {
    expect(parseJsonLossless('{"id":5545974000001234001,"n":42,"f":1.5}')).toEqual({
      id: "5545974000001234001",
      n: 42,
      f: 1.5,
    });
  });

  it("never touches digits inside strings, escaped quotes included", () => {
    const text =
      '{"a":"5545974000001234001","b":"say \\"5545974000001234001\\"","c":[-12345678901234567890]}';

    expect(parseJsonLossless(text)).toEqual({
      a: "5545974000001234001",
      b: 'say "5545974000001234001"',
      c: ["-12345678901234567890"],
    });
  });

  it("leaves any JSON without long integers exactly as JSON.parse reads it", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !/\d{16,}/.test(JSON.stringify(v))),
        (value) => {
          const text = JSON.stringify(value);
          expect(parseJsonLossless(text)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("quotes every integer a double cannot hold, wherever it sits", () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 2n ** 53n, max: 10n ** 19n - 1n })), (ids) => {
        const text = `{"data":[${ids.map((i) => `{"id":${i}}`).join(",")}]}`;
        expect(JSON.parse(quoteLongIntegers(text))).toEqual({ data: ids.map((i) => ({ id: String(i) })) });
      }),
    );
  });
});
