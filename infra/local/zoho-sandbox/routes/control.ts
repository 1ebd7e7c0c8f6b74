/**
 * The control surface (`{url}/_sandbox/...`, loopback only): inspection, reset and profile, faults, tokens, the
 * clock, settings, API clients and grant codes, workflow rules and hooks. What a person does in Zoho's UI (edit a
 * record, email support, attach a file) registers from routes/control-ui.ts.
 */
import type { IncomingMessage } from "node:http";
import type { WorkflowRule } from "../automation.js";
import { registerBooksControls } from "../books/control.js";
import { type DataCentre, SANDBOX_PROFILES, type SandboxOptions, type SandboxProfile } from "../config.js";
import { registerCreatorControls } from "../creator/controls.js";
import { Router } from "../router.js";
import { DEMO_SCOPES } from "../seed.js";
import type { ZohoSandbox } from "../server.js";
import { json, type Reply, type SandboxFault, type State } from "../state.js";
import { registerUiControls } from "./control-ui.js";
import { type Gateway, isDc, parseJson } from "./gateway.js";

/** One control call: the JSON body (when there is one), the current state, the settings and the sandbox. */
export interface ControlCall {
  body: Record<string, unknown> | undefined;
  state: State;
  options: SandboxOptions;
  sandbox: ZohoSandbox;
}

export type ControlRoute = (call: ControlCall, params: Readonly<Record<string, string>>) => Reply | undefined;

const badProfile = () => json(400, { error: `profile must be one of ${SANDBOX_PROFILES.join(", ")}` });
const isProfile = (p: unknown): p is SandboxProfile => SANDBOX_PROFILES.includes(p as SandboxProfile);

const ROUTES = new Router<ControlRoute>()
  .on("GET", "inspect", ({ sandbox }) => json(200, sandbox.inspect()))
  .on("POST", "reset", ({ body, options, sandbox }) => {
    // Re-seeds the current profile; `{profile}` switches to another one first.
    if (body?.profile !== undefined) {
      if (!isProfile(body.profile)) return badProfile();
      options.profile = body.profile;
    }
    sandbox.reset();
    return json(200, { ok: true, profile: options.profile });
  })
  .on("GET", "demo", ({ sandbox }) => json(200, sandbox.demo()))
  .on("POST", "faults", ({ body, state, sandbox }) => {
    sandbox.inject(body as unknown as SandboxFault);
    return json(200, { queued: state.faults.length });
  })
  .on("DELETE", "faults", ({ state }) => {
    state.faults = [];
    return json(200, { queued: 0 });
  })
  .on("POST", "tokens/expire", ({ state }) => json(200, { expired: state.accounts.expireAll() }))
  .on("POST", "tokens/revoke", ({ body, state }) => {
    const token = String(body?.refresh_token ?? "");
    state.accounts.revokeRefreshToken(token);
    return json(200, { revoked: state.accounts.refreshTokens.get(token)?.revoked === true });
  })
  .on("POST", "clock", ({ body, state, sandbox }) => {
    sandbox.advanceClock(Number(body?.advance_seconds ?? 0));
    return json(200, { now: state.ctx.clock.stamp() });
  })
  .on("POST", "config", ({ body, options }) => {
    // A profile takes effect at the next reset; refuse an unknown one now rather than fail the reset.
    if (body?.profile !== undefined && !isProfile(body.profile)) return badProfile();
    Object.assign(options, body ?? {});
    return json(200, options);
  })
  .on("POST", "clients", ({ body, state }) => {
    const dc = isDc(String(body?.dc)) ? (body?.dc as DataCentre) : "us";
    const c = state.accounts.registerClient(dc, state.crm.users[0]?.id ?? "");
    return json(200, {
      client_id: c.clientId,
      client_secret: c.clientSecret,
      dc,
      accounts_server: state.accounts.accountsUrl(dc),
      api_domain: state.accounts.apiDomain(dc),
    });
  })
  .on("POST", "grant-codes", ({ body, state, options }) => {
    const clientId = typeof body?.client_id === "string" ? body.client_id : state.demoClient.clientId;
    if (!state.accounts.clients.has(clientId)) return json(400, { error: "invalid_client" });
    const scopes = Array.isArray(body?.scopes) ? (body.scopes as string[]) : DEMO_SCOPES;
    const ttl = typeof body?.ttl_seconds === "number" ? body.ttl_seconds : undefined;
    return json(200, {
      code: state.accounts.issueGrantCode(clientId, scopes, ttl),
      expires_in: ttl ?? options.grantCodeTtlSeconds,
    });
  })
  .on("GET", "workflow-rules", ({ state }) => json(200, { rules: state.automation.rules }))
  .on("POST", "workflow-rules", ({ body, state }) => {
    const rule = { id: state.ctx.ids.next(), ...(body as object) } as WorkflowRule;
    state.automation.rules.push(rule);
    return json(200, rule);
  })
  .on("POST", "connect-hooks", ({ body, sandbox }) => {
    sandbox.connectHooks(
      String(body?.base_url ?? ""),
      typeof body?.token === "string" ? body.token : undefined,
    );
    return json(200, { ok: true });
  });
registerUiControls(ROUTES);
registerBooksControls(ROUTES);
registerCreatorControls(ROUTES);

export async function control(
  gw: Gateway,
  sandbox: ZohoSandbox,
  req: IncomingMessage,
  path: string[],
  raw: Buffer,
): Promise<Reply> {
  const parsed = parseJson(raw);
  const call: ControlCall = {
    body: (parsed.ok ? parsed.value : undefined) as Record<string, unknown> | undefined,
    state: gw.state(),
    options: gw.options,
    sandbox,
  };
  return (
    ROUTES.first(req.method ?? "GET", path, (route, params) => route(call, params)) ??
    json(404, { error: "unknown control endpoint" })
  );
}
