/** The CLI's help names every command and flag, and its stage default is the one CDK and npm start use. */
import { describe, expect, it } from "vitest";
import { main } from "../../../infra/cli/main.js";
import { loadStage } from "../../../infra/config/stages.js";
import { DEFAULT_STAGE } from "../../../shared/config/stage.js";

const help = async (argv: string[]) => {
  const lines: string[] = [];
  const code = await main(argv, {}, (l) => lines.push(l));
  return { code, out: lines.join("\n") };
};

describe("CLI help and the default stage", () => {
  it("CDK's stage defaults to DEFAULT_STAGE, and the help says the same", async () => {
    const { code, out } = await help(["--help"]);

    expect(DEFAULT_STAGE).toBe("dev");
    expect(loadStage({}, {}).name).toBe(DEFAULT_STAGE);
    expect(code).toBe(0);
    expect(out).toContain(`--stage NAME             stage (default: ${DEFAULT_STAGE};`);
  });

  it("names every command and every flag", async () => {
    const { out } = await help(["help"]);
    const flags = [
      "--stage",
      "--connection",
      "--secret-name",
      "--region",
      "--secrets-endpoint",
      "--client-id",
      "--client-secret",
      "--code",
      "--refresh-token",
      "--dc",
      "--location",
      "--accounts-server",
      "--desk-url",
      "--desk-org-id",
      "--desk-source-id",
      "--desk-from-address",
      "--notifications",
      "--webhook-secret-name",
      "--model-secret-name",
      "--json",
      "--dry-run",
      "--sandbox",
    ];

    for (const command of ["auth", "doctor", "fields create <use-case>", "send lead|ticket"])
      expect(out).toContain(`zoho-gpt-mediator ${command}`);
    for (const flag of flags) expect(out).toMatch(new RegExp(`^\\s+${flag} `, "m"));
  });

  it("exits 2 on an unknown command and on fields without create", async () => {
    expect((await help(["frobnicate"])).code).toBe(2);
    expect((await help(["fields", "list"])).code).toBe(2);
  });
});
