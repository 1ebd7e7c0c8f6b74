/**
 * The n8n recipe is valid workflow JSON, and what its HTTP node posts (the Code node's body, the Crypto node's
 * signature, the headers as its expressions build them) is exactly what the e-mail triage route accepts.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { emailText, loadEmailText } from "../../../shared/use-cases/email-triage/email-text.js";
import { EmailTriageInputSchema } from "../../../shared/use-cases/email-triage/input.js";
import { ingestHarness, SECRETS } from "../../helpers/ingest.js";

beforeAll(loadEmailText);

interface N8nNode {
  name: string;
  type: string;
  parameters: Record<string, unknown>;
}
interface N8nWorkflow {
  nodes: N8nNode[];
  connections: Record<string, { main: { node: string }[][] }>;
}

const workflow = JSON.parse(
  readFileSync(new URL("../../../docs/recipes/n8n-email-triage.workflow.json", import.meta.url), "utf8"),
) as N8nWorkflow;
const node = (type: string) => {
  const found = workflow.nodes.find((n) => n.type === type);
  if (!found) throw new Error(`no ${type} node in the recipe`);
  return found;
};

/** n8n's expressions as the recipe uses them: `={{ $json.x }}` and `{{ $env.X }}` pieces in a string. */
function evaluate(expr: string, json: Record<string, unknown>, env: Record<string, string>): string {
  if (!expr.startsWith("=")) return expr;
  return expr
    .slice(1)
    .replace(/\{\{\s*\$(json|env)\.([A-Za-z_]+)\s*\}\}/g, (_, scope: string, key: string) => {
      const value = scope === "json" ? json[key] : env[key];
      if (value === undefined) throw new Error(`the expression names ${scope}.${key}, which is not set`);
      return String(value);
    });
}

/** A message as n8n's IMAP trigger gives it in "resolved" format (mailparser's fields), with attachments. */
const imapItem = JSON.parse(
  readFileSync(new URL("../../fixtures/email/n8n-imap-resolved.json", import.meta.url), "utf8"),
) as { json: Record<string, unknown> };

describe("docs/recipes/n8n-email-triage.workflow.json", () => {
  it("is an n8n workflow: trigger -> Code -> Crypto -> HTTP Request, every connection naming a node", () => {
    const names = new Set(workflow.nodes.map((n) => n.name));
    const chain = workflow.nodes.map((n) => n.type);

    expect(chain).toEqual([
      "n8n-nodes-base.emailReadImap",
      "n8n-nodes-base.code",
      "n8n-nodes-base.crypto",
      "n8n-nodes-base.httpRequest",
    ]);
    for (const [from, c] of Object.entries(workflow.connections)) {
      expect(names.has(from)).toBe(true);
      for (const target of c.main.flat()) expect(names.has(target.node)).toBe(true);
    }
    expect(JSON.stringify(workflow)).not.toMatch(/hmac-key|tok-|x-mediator-token/i);
  });

  it("posts exactly what the route accepts: its body fits the schema and its signature is accepted", async () => {
    const env = { MEDIATOR_URL: "http://127.0.0.1:4000", MEDIATOR_HMAC_KEY: SECRETS.hmacKeys[0] as string };
    // The Code node, run as n8n runs it (`$input.all()` in, items out).
    const code = node("n8n-nodes-base.code").parameters.jsCode as string;
    const items = new Function("$input", code)({ all: () => [imapItem] }) as {
      json: Record<string, unknown>;
    }[];
    const built = items[0]?.json as Record<string, unknown>;
    // The Crypto node: HMAC of its `value` with its `secret`, hex, into `dataPropertyName`.
    const crypto = node("n8n-nodes-base.crypto").parameters;
    expect([crypto.action, crypto.type, crypto.encoding]).toEqual(["hmac", "SHA256", "hex"]);
    const signedJson = {
      ...built,
      [crypto.dataPropertyName as string]: createHmac("sha256", evaluate(crypto.secret as string, built, env))
        .update(evaluate(crypto.value as string, built, env), "utf8")
        .digest("hex"),
    };
    // The HTTP Request node.
    const http = node("n8n-nodes-base.httpRequest").parameters;
    const url = new URL(evaluate(http.url as string, signedJson, env));
    const headers = Object.fromEntries(
      (http.headerParameters as { parameters: { name: string; value: string }[] }).parameters.map((h) => [
        h.name.toLowerCase(),
        evaluate(h.value, signedJson, env),
      ]),
    );
    const body = evaluate(http.body as string, signedJson, env);

    expect([http.method, http.contentType, http.rawContentType]).toEqual(["POST", "raw", "application/json"]);
    expect(url.pathname).toBe("/v1/hooks/flow/email-triage");
    const input = EmailTriageInputSchema.parse(JSON.parse(body));
    expect(input).toMatchObject({
      messageId: "<CAF=xyz789+Q@mail.sakura-retail.example>",
      from: { name: "Aiko Tanaka (田中 愛子)", address: "aiko.tanaka@sakura-retail.example" },
      to: ["sales@zylker.example", "sam@zylker.example"],
      cc: ["it@sakura-retail.example"],
      subject: "Re: Quote for 250 seats — 至急",
      receivedAt: "2026-11-25T09:00:00.000Z",
      attachments: [
        { fileName: "RFP-Sakura-2026.pdf", contentType: "application/pdf", size: 182344 },
        expect.objectContaining({ fileName: "security-questionnaire.xlsx" }),
        expect.objectContaining({ fileName: "image001.png" }),
      ],
    });
    // The plain-text part is sent when the message has one; the mediator trims its quote and signature.
    expect(input.body).toContain("見積書をお願いします");
    expect(input.html).toBeUndefined();
    expect(emailText({ text: input.body })).not.toMatch(/wrote:|Head of IT|recording/);

    const { call, queue } = ingestHarness();
    const res = await call({ path: url.pathname, body, headers });

    expect(res.statusCode).toBe(202);
    expect(queue.sent[0]?.dedupKey).toMatch(/^flow:email-triage:msgid:/);
  });
});
