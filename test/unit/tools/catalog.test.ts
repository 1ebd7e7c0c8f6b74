/**
 * The catalog as agents see it: eleven tools with unique snake_case names, descriptions a model can act on within
 * GPT Actions' 300 characters, strict inputs (unknown keys refused), object outputs carrying jobId, and schemas
 * that convert to JSON Schema (what MCP and OpenAPI are generated from).
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { alwaysProposes, TOOL_CATALOG } from "../../../shared/tools/catalog.js";

describe("TOOL_CATALOG", () => {
  it("serves the eleven tools of the contract, in order", () => {
    expect(TOOL_CATALOG.map((t) => t.name)).toEqual([
      "crm_search",
      "crm_get_record",
      "crm_describe_module",
      "crm_propose_update",
      "crm_update",
      "crm_add_note",
      "crm_create_task",
      "desk_get_ticket",
      "desk_add_private_comment",
      "desk_save_draft_reply",
      "mediator_job_status",
    ]);
    expect(TOOL_CATALOG.filter(alwaysProposes).map((t) => t.name)).toEqual(["crm_propose_update"]);
  });

  it.each(TOOL_CATALOG.map((t) => [t.name, t] as const))(
    "%s: a description for a model within 300 characters",
    (_n, tool) => {
      expect(tool.name).toMatch(/^[a-z][a-z_]{2,63}$/);
      expect(tool.title.length).toBeGreaterThan(0);
      expect(tool.description.length).toBeLessThanOrEqual(300);
      // It names the scope it needs and what its error answers mean.
      const scope = tool.scope === "jobs" ? "jobs.read" : tool.scope;
      expect(tool.description).toContain(scope);
      expect(tool.description).toMatch(/403/);
      expect(tool.description).toMatch(/404|422|429/);
      expect(tool.writes).toBe(["crm.write", "desk.comment", "desk.draft"].includes(tool.scope));
    },
  );

  it.each(TOOL_CATALOG.map((t) => [t.name, t] as const))(
    "%s: strict input, object output with jobId",
    (_n, tool) => {
      expect(tool.input).toBeInstanceOf(z.ZodObject);
      expect(tool.output).toBeInstanceOf(z.ZodObject);
      const input = z.toJSONSchema(tool.input, { io: "input" }) as {
        additionalProperties?: unknown;
        type: string;
      };
      const output = z.toJSONSchema(tool.output, { io: "output" }) as { required: string[]; type: string };
      expect(input).toMatchObject({ type: "object", additionalProperties: false });
      expect(output.type).toBe("object");
      expect(output.required).toContain("jobId");
    },
  );
});
