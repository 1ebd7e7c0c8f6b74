import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scanLogs } from "../../global-setup.js";

describe("the suite-wide log scan", () => {
  it("finds a Zoho token, a client secret or an API key in captured logs, and masks it in its report", () => {
    const dir = mkdtempSync(join(tmpdir(), "logscan-"));
    const token = `1000.${"ab".repeat(16)}.${"cd".repeat(16)}`;
    writeFileSync(
      join(dir, "worker-1.log"),
      `{"level":"INFO","message":"ok"}\n{"level":"ERROR","message":"refresh failed for ${token}"}\n`,
    );
    writeFileSync(join(dir, "worker-2.log"), `{"clientSecret":"${"0a".repeat(21)}"}\n`);

    const { lines, leaks } = scanLogs(dir);

    expect(lines).toBe(3);
    expect(leaks).toHaveLength(2);
    expect(leaks.join("\n")).not.toContain(token);
  });

  it("passes logs that only mention names and redacted values", () => {
    const dir = mkdtempSync(join(tmpdir(), "logscan-"));
    writeFileSync(
      join(dir, "worker-1.log"),
      `{"message":"zoho access token refreshed","secretName":"zoho-gpt-mediator/dev/zoho/default","token":"***"}\n`,
    );

    expect(scanLogs(dir).leaks).toEqual([]);
  });
});
