/**
 * The PDF reader without a native binary: in a process where `@napi-rs/canvas` cannot load (as in the worker's
 * Lambda bundle), pdf.js asks for it, goes on without it, and both the text path and the scanned-page images work.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..");

describe("document extraction's PDF reader", () => {
  it("reads text and scanned pages with @napi-rs/canvas unavailable", () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", join(ROOT, "test/fixtures/documents/no-canvas-child.ts")],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] },
    );
    const result = JSON.parse(out.trim().split("\n").at(-1) ?? "{}");

    // pdf.js did ask (at import) and was refused: nothing below used it.
    expect(result.refused.length).toBeGreaterThan(0);
    expect(result.text).toEqual([
      { page: 1, text: "Effective date: 2027-01-01" },
      { page: 2, text: "Page two" },
    ]);
    expect(result.images).toHaveLength(2);
    expect(result.images[0]).toMatchObject({ page: 1, mediaType: "image/png" });
    expect(result.images[0].bytes).toBeGreaterThan(100);
  }, 60_000);
});
