import { describe, expect, it } from "vitest";
import { eventsFromArgs, SCALE_DEFAULT_EVENTS } from "../../../bench/scale.js";

describe("scale's --events", () => {
  it("defaults to 1,000, 5,000 and 20,000", () => {
    expect(eventsFromArgs([])).toEqual(SCALE_DEFAULT_EVENTS);
    expect(SCALE_DEFAULT_EVENTS).toEqual([1_000, 5_000, 20_000]);
  });

  it("takes repeated flags, comma lists and --events=N, in increasing order without repeats", () => {
    expect(eventsFromArgs(["--events", "5000", "--events", "1000"])).toEqual([1000, 5000]);
    expect(eventsFromArgs(["--events", "2000,500", "--events=500"])).toEqual([500, 2000]);
  });

  it("refuses what is not a whole number above 0", () => {
    expect(() => eventsFromArgs(["--events", "ten"])).toThrow(/whole numbers above 0, not "ten"/);
    expect(() => eventsFromArgs(["--events", "0"])).toThrow(/not "0"/);
  });
});
