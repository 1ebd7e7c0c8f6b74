/**
 * The tool endpoint's settings (ToolsEnvSchema) and composition (createToolsDeps): defaults, the allowed hosts
 * and public URL reaching the routes, the connection secrets per connection, and nothing but names in the env.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { ToolsEnvSchema } from "../../../shared/config/tools-env.js";
import { ConfigError } from "../../../shared/errors.js";
import { createToolsDeps } from "../../../shared/lambda/deps/tools-deps.js";
import { TOOL_CATALOG } from "../../../shared/tools/catalog.js";
import { FIXTURE_TOOLS } from "../../fixtures/tools/tools.js";

const BASE = {
  TOOLS_TABLE: "zoho-gpt-mediator-dev-agents",
  JOBS_TABLE: "zoho-gpt-mediator-dev-jobs",
  ZOHO_CONNECTION_SECRETS: "zoho-gpt-mediator/dev/zoho/default,zoho-gpt-mediator/dev/zoho/eu",
  REFRESHER_FUNCTION_NAME: "refresher",
};

const clients = () => ({
  dynamodb: new DynamoDBClient({ region: "eu-west-1", endpoint: "http://127.0.0.1:9" }),
  secrets: { get: async () => ({ value: "{}", versionId: "1" }) } as never,
  coordinator: { refresh: async () => undefined } as never,
});

describe("tools env", () => {
  it("has the contract's defaults", () => {
    const env = ToolsEnvSchema.parse(BASE);
    expect(env).toMatchObject({
      STAGE: "dev",
      CREDITS_LOW_WATER: 500,
      TOOLS_MAX_PAGE_SIZE: 50,
      TOOLS_MAX_TEXT_LENGTH: 10_000,
      TOOLS_ZOHO_CONCURRENCY: 3,
      SERVICE_VERSION: "0.0.0",
    });
    expect(env.TOOLS_ALLOWED_HOSTS).toBeUndefined();
    expect(env.TOOLS_PUBLIC_URL).toBeUndefined();
    expect(env.ZOHO_CONNECTION_SECRETS).toEqual([
      "zoho-gpt-mediator/dev/zoho/default",
      "zoho-gpt-mediator/dev/zoho/eu",
    ]);
  });

  it("refuses a missing table, no connection, a bad URL or address, and names the setting", () => {
    for (const [patch, setting] of [
      [{ TOOLS_TABLE: "" }, "TOOLS_TABLE"],
      [{ ZOHO_CONNECTION_SECRETS: "" }, "ZOHO_CONNECTION_SECRETS"],
      [{ TOOLS_PUBLIC_URL: "not a url" }, "TOOLS_PUBLIC_URL"],
      [{ DESK_FROM_ADDRESS: "nobody" }, "DESK_FROM_ADDRESS"],
      [{ TOOLS_MAX_PAGE_SIZE: "0" }, "TOOLS_MAX_PAGE_SIZE"],
    ] as const) {
      const result = ToolsEnvSchema.safeParse({ ...BASE, ...patch });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join("."))).toContain(setting);
    }
  });
});

describe("createToolsDeps", () => {
  it("wires the settings: tools, hosts, public URL, limits, version, Desk from address", () => {
    const env = ToolsEnvSchema.parse({
      ...BASE,
      TOOLS_ALLOWED_HOSTS: "localhost, 127.0.0.1,[::1]",
      TOOLS_PUBLIC_URL: "https://tools.example.com",
      TOOLS_MAX_PAGE_SIZE: "20",
      CREDITS_LOW_WATER: "100",
      DESK_FROM_ADDRESS: "support@example.com",
      SERVICE_VERSION: "1.2.3",
    });
    const deps = createToolsDeps(env, clients());
    expect(deps.tools).toBe(TOOL_CATALOG);
    expect(deps.allowedHosts).toEqual(["localhost", "127.0.0.1", "[::1]"]);
    expect(deps.publicUrl).toBe("https://tools.example.com");
    expect(deps.config).toEqual({ maxPageSize: 20, creditsLowWater: 100, maxTextLength: 10_000 });
    expect(deps.version).toBe("1.2.3");
    expect(deps.deskFromAddress).toBe("support@example.com");
    expect(createToolsDeps(ToolsEnvSchema.parse(BASE), clients(), { tools: FIXTURE_TOOLS }).tools).toBe(
      FIXTURE_TOOLS,
    );
  });

  it("builds one Zoho client per deployed connection and refuses another", () => {
    const deps = createToolsDeps(ToolsEnvSchema.parse(BASE), clients());
    expect(deps.zohoFor("default")).toBe(deps.zohoFor("default"));
    expect(deps.zohoFor("eu")).not.toBe(deps.zohoFor("default"));
    expect(() => deps.zohoFor("other")).toThrow(ConfigError);
  });
});
