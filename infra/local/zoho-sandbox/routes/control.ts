/**
 * The control surface (`{url}/_sandbox/...`, loopback only): inspection, reset and profile, faults, tokens, the
 * clock, settings, API clients and grant codes, workflow rules and hooks, and what a person does in Zoho's UI
 * (edit a record, email support).
 */
import type { IncomingMessage } from "node:http";
import type { WorkflowRule } from "../automation.js";
import { type DataCentre, SANDBOX_PROFILES, type SandboxProfile } from "../config.js";
import { findModule } from "../metadata.js";
import { DEMO_SCOPES } from "../seed.js";
import type { ZohoSandbox } from "../server.js";
import { json, type Reply } from "../state.js";
import { type Gateway, isDc, parseJson, type SandboxFault } from "./gateway.js";

export async function control(
  gw: Gateway,
  sandbox: ZohoSandbox,
  req: IncomingMessage,
  path: string,
  raw: Buffer,
): Promise<Reply> {
  const state = gw.state();
  const options = gw.options;
  const body = (parseJson(raw) as { ok: boolean; value?: unknown }).value as
    | Record<string, unknown>
    | undefined;
  const m = req.method ?? "GET";
  const parts = path.split("/").filter(Boolean);
  if (path === "/inspect" && m === "GET") return json(200, sandbox.inspect());
  if (path === "/reset" && m === "POST") {
    // Re-seeds the current profile; `{profile}` switches to another one first.
    if (body?.profile !== undefined) {
      if (!SANDBOX_PROFILES.includes(body.profile as SandboxProfile))
        return json(400, { error: `profile must be one of ${SANDBOX_PROFILES.join(", ")}` });
      options.profile = body.profile as SandboxProfile;
    }
    sandbox.reset();
    return json(200, { ok: true, profile: options.profile });
  }
  if (path === "/demo" && m === "GET") return json(200, sandbox.demo());
  if (path === "/faults" && m === "POST") {
    sandbox.inject(body as unknown as SandboxFault);
    return json(200, { queued: state.faults.length });
  }
  if (path === "/faults" && m === "DELETE") {
    state.faults = [];
    return json(200, { queued: 0 });
  }
  if (path === "/tokens/expire" && m === "POST") return json(200, { expired: state.accounts.expireAll() });
  if (path === "/tokens/revoke" && m === "POST") {
    const token = String(body?.refresh_token ?? "");
    state.accounts.revokeRefreshToken(token);
    return json(200, { revoked: state.accounts.refreshTokens.get(token)?.revoked === true });
  }
  if (path === "/clock" && m === "POST") {
    sandbox.advanceClock(Number(body?.advance_seconds ?? 0));
    return json(200, { now: state.ctx.clock.stamp() });
  }
  if (path === "/config" && m === "POST") {
    // A profile takes effect at the next reset; refuse an unknown one now rather than fail the reset.
    if (body?.profile !== undefined && !SANDBOX_PROFILES.includes(body.profile as SandboxProfile))
      return json(400, { error: `profile must be one of ${SANDBOX_PROFILES.join(", ")}` });
    Object.assign(options, body ?? {});
    return json(200, options);
  }
  if (path === "/clients" && m === "POST") {
    const dc = isDc(String(body?.dc)) ? (body?.dc as DataCentre) : "us";
    const c = state.accounts.registerClient(dc, state.crm.users[0]?.id ?? "");
    return json(200, {
      client_id: c.clientId,
      client_secret: c.clientSecret,
      dc,
      accounts_server: state.accounts.accountsUrl(dc),
      api_domain: state.accounts.apiDomain(dc),
    });
  }
  if (path === "/grant-codes" && m === "POST") {
    const clientId = typeof body?.client_id === "string" ? body.client_id : state.demoClient.clientId;
    if (!state.accounts.clients.has(clientId)) return json(400, { error: "invalid_client" });
    const scopes = Array.isArray(body?.scopes) ? (body.scopes as string[]) : DEMO_SCOPES;
    const ttl = typeof body?.ttl_seconds === "number" ? body.ttl_seconds : undefined;
    return json(200, {
      code: state.accounts.issueGrantCode(clientId, scopes, ttl),
      expires_in: ttl ?? options.grantCodeTtlSeconds,
    });
  }
  if (path === "/workflow-rules" && m === "GET") return json(200, { rules: state.automation.rules });
  if (path === "/workflow-rules" && m === "POST") {
    const rule = { id: state.ctx.ids.next(), ...(body as object) } as WorkflowRule;
    state.automation.rules.push(rule);
    return json(200, rule);
  }
  if (path === "/connect-hooks" && m === "POST") {
    sandbox.connectHooks(
      String(body?.base_url ?? ""),
      typeof body?.token === "string" ? body.token : undefined,
    );
    return json(200, { ok: true });
  }
  // A person using Zoho's UI: creates or edits a record, which fires workflow rules like any user edit.
  if (parts[0] === "crm" && parts[1] && m === "POST")
    return state.crm.write(parts[1], "insert", { data: [body ?? {}] }, state.crm.users[0]?.id ?? "", "ui");
  if (parts[0] === "crm" && parts[1] && parts[2] && m === "PUT")
    return state.crm.write(
      parts[1],
      "update",
      { data: [body ?? {}] },
      state.crm.users[0]?.id ?? "",
      "ui",
      parts[2],
    );
  if (parts[0] === "records" && parts[1] && parts[2] && m === "GET") {
    const mod = findModule(state.crm.modules, parts[1]);
    const rec = mod ? state.crm.find(mod.api_name, parts[2]) : undefined;
    return rec ? json(200, rec) : json(404, { error: "not found" });
  }
  // A customer emails support: a new ticket (Ticket_Add) or a reply on an existing one (Ticket_Thread_Add).
  if (parts[0] === "desk" && parts[1] === "tickets" && !parts[2] && m === "POST") {
    const email = String(body?.email ?? "customer@example.com");
    let contact = state.desk.contacts.find((c) => c.email === email);
    if (!contact) {
      contact = {
        id: state.ctx.ids.next(),
        firstName: String(body?.first_name ?? ""),
        lastName: String(body?.last_name ?? email.split("@")[0]),
        email,
      };
      state.desk.contacts.push(contact);
    }
    const text = String(body?.description ?? "");
    return state.desk.createTicket(
      {
        subject: body?.subject,
        description: text,
        contactId: contact.id,
        departmentId: state.desk.departments[0]?.id,
        channel: "Email",
      },
      undefined,
      { from: email, content: text },
    );
  }
  if (parts[0] === "desk" && parts[1] === "tickets" && parts[2] && parts[3] === "inbound" && m === "POST") {
    const thread = state.desk.inboundReply(
      parts[2],
      String(body?.from ?? "customer@example.com"),
      String(body?.content ?? ""),
    );
    return thread ? json(200, thread) : json(404, { error: "no such ticket" });
  }
  if (parts[0] === "desk" && parts[1] === "tickets" && parts[2] && !parts[3] && m === "GET") {
    const t = state.desk.tickets.get(parts[2]);
    if (!t) return json(404, { error: "no such ticket" });
    const threads = [...state.desk.threads.values()].filter((th) => th.ticketId === t.id);
    const comments = [...state.desk.comments.values()].filter((c) => c.ticketId === t.id);
    return json(200, { ticket: t, threads, comments });
  }
  return json(404, { error: "unknown control endpoint" });
}
