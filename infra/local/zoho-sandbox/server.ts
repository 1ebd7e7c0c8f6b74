/**
 * The Zoho sandbox: one loopback server emulating Zoho Accounts (OAuth), CRM v8 and Desk v1 for several data
 * centres, with the demo org seeded, fault injection and an inspection endpoint. It implements every item of
 * section 8 of the Zoho notes; settings for UNCONFIRMED behaviours are in config.ts.
 *
 * URL layout (the real hosts differ per DC; here the DC is a path prefix):
 *   accounts server   {url}/accounts/{dc}     e.g. POST {url}/accounts/us/oauth/v2/token
 *   CRM api_domain    {url}/api/{dc}          e.g. GET  {url}/api/us/crm/v8/Leads?fields=Email
 *   Desk              {url}/desk/{dc}         e.g. GET  {url}/desk/us/api/v1/tickets/{id}
 *   control           {url}/_sandbox/...      faults, clock, inspection, UI-style edits (loopback only)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  BodyTooLargeError,
  listen,
  parseForm,
  parseMultipart,
  type RunningServer,
  readBody,
  sendJson,
  sleep,
} from "../http.js";
import { type AccessToken, Accounts, hasScope, type OAuthClient } from "./accounts.js";
import { Automation, type WorkflowRule } from "./automation.js";
import {
  DATA_CENTRES,
  type DataCentre,
  DEFAULT_OPTIONS,
  SANDBOX_PROFILES,
  type SandboxOptions,
  type SandboxProfile,
} from "./config.js";
import { Crm } from "./crm.js";
import { Desk } from "./desk.js";
import { buildModules, findModule } from "./metadata.js";
import { profileSeed } from "./profiles.js";
import { DEMO_SCOPES, seedDemoOrg, seedMediatorHooks } from "./seed.js";
import {
  Clock,
  crmError,
  deskError,
  IdGenerator,
  Inspector,
  json,
  type Reply,
  type SandboxContext,
} from "./state.js";

/** A queued fault: the next `count` matching calls answer `kind` instead of being served. */
export interface SandboxFault {
  target: "accounts" | "crm" | "desk" | "any";
  kind: 401 | 429 | 500 | "hang";
  count?: number;
  /** For `hang`: how long to hold the request before closing it; default until the client gives up. */
  hangMs?: number;
}

interface State {
  ctx: SandboxContext;
  accounts: Accounts;
  crm: Crm;
  desk: Desk;
  automation: Automation;
  demoClient: OAuthClient;
  faults: (SandboxFault & { count: number })[];
  credits: { time: number; cost: number }[];
  inflight: Map<string, { all: number; heavy: number }>;
}

export interface ZohoSandbox extends RunningServer {
  readonly options: SandboxOptions;
  /** The seeded org's API client and where it lives; the local stack and tests set up connections with it. */
  demo(): {
    /** The seed profile this org was built from. */
    profile: SandboxProfile;
    clientId: string;
    clientSecret: string;
    dc: DataCentre;
    scopes: string[];
    orgId: string;
    accountsUrl: string;
    apiDomain: string;
    deskUrl: string;
  };
  /** Issues a self-client grant code (what the API console does). */
  grantCode(scopes?: string[], clientId?: string, ttlSeconds?: number): string;
  accountsUrl(dc?: DataCentre): string;
  apiDomain(dc?: DataCentre): string;
  deskUrl(dc?: DataCentre): string;
  inject(fault: SandboxFault): void;
  advanceClock(seconds: number): void;
  /** Waits for background webhook deliveries to finish. */
  settle(): Promise<void>;
  inspect(): Record<string, unknown>;
  /** Points the demo org's workflow rule and Desk webhook at the mediator. */
  connectHooks(baseUrl: string, token?: string): void;
  reset(): void;
  readonly state: State;
}

function build(options: SandboxOptions, baseUrl: string): State {
  const seed = profileSeed(options.profile);
  const ctx: SandboxContext = {
    options,
    clock: new Clock(),
    ids: new IdGenerator(seed.idPrefix),
    inspector: new Inspector(),
    baseUrl,
    pending: new Set(),
  };
  const accounts = new Accounts(ctx);
  const modules = buildModules(seed);
  const crm = new Crm(ctx, modules);
  const automation = new Automation(ctx, modules, () => accounts.apiDomain("us"));
  crm.onWrite = (event) => automation.onWrite(event);
  const desk = new Desk(ctx, seed);
  const demoClient = seedDemoOrg(ctx, accounts, crm, desk, automation);
  // Seeding is not traffic: start the inspection log clean.
  ctx.inspector = new Inspector();
  return { ctx, accounts, crm, desk, automation, demoClient, faults: [], credits: [], inflight: new Map() };
}

const isDc = (s: string | undefined): s is DataCentre => DATA_CENTRES.includes(s as DataCentre);

export async function startZohoSandbox(overrides: Partial<SandboxOptions> = {}): Promise<ZohoSandbox> {
  const options: SandboxOptions = { ...DEFAULT_OPTIONS, ...overrides };
  let state = build(options, "http://127.0.0.1:0");

  const takeFault = (target: SandboxFault["target"]) => {
    const i = state.faults.findIndex((f) => f.target === target || f.target === "any");
    const fault = state.faults[i];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) state.faults.splice(i, 1);
    return fault;
  };

  const faultReply = async (
    service: "accounts" | "crm" | "desk",
    fault: SandboxFault,
    req: IncomingMessage,
  ): Promise<Reply | undefined> => {
    if (fault.kind === "hang") {
      await Promise.race([
        new Promise((r) => req.socket.once("close", r)),
        fault.hangMs !== undefined ? sleep(fault.hangMs) : new Promise(() => {}),
      ]);
      req.socket.destroy();
      return undefined;
    }
    if (service === "desk") {
      if (fault.kind === 401)
        return deskError(401, "INVALID_OAUTH", "The OAuth Token you provided is invalid.");
      if (fault.kind === 429)
        return deskError(
          429,
          "TOO_MANY_REQUESTS",
          "You have exceeded the allowed number of requests. Please try again later.",
        );
      return deskError(
        500,
        "INTERNAL_SERVER_ERROR",
        "An internal server error occurred while processing this request.",
      );
    }
    if (service === "accounts") {
      if (fault.kind === 500) return json(500, { error: "server_error" });
      return json(fault.kind === 429 ? 429 : 200, {
        error: fault.kind === 429 ? "Access Denied" : "invalid_client",
      });
    }
    if (fault.kind === 401) return crmError(401, "INVALID_TOKEN", "invalid oauth token");
    if (fault.kind === 429)
      return crmError(429, "TOO_MANY_REQUESTS", "The number of API requests has exceeded the allowed limit.");
    return crmError(500, "INTERNAL_ERROR", "Internal Server Error");
  };

  /** Zoho-oauthtoken auth for CRM and Desk; returns the token or the error reply. */
  const authenticate = (
    req: IncomingMessage,
    dc: DataCentre,
    service: "crm" | "desk",
  ): AccessToken | Reply => {
    const header = req.headers.authorization ?? "";
    const prefix = "Zoho-oauthtoken ";
    if (!header.startsWith(prefix)) {
      if (service === "desk")
        return deskError(401, "INVALID_OAUTH", "The OAuth Token you provided is invalid.");
      return options.missingAuthCode === "INVALID_TOKEN"
        ? crmError(401, "INVALID_TOKEN", "invalid oauth token")
        : crmError(401, "AUTHENTICATION_FAILURE", "Authentication failed");
    }
    const token = state.accounts.validate(header.slice(prefix.length).trim(), dc);
    if (!token) {
      return service === "desk"
        ? deskError(401, "INVALID_OAUTH", "The OAuth Token you provided is invalid.")
        : crmError(401, "INVALID_TOKEN", "invalid oauth token");
    }
    return token;
  };

  const scopeError = (service: "crm" | "desk"): Reply =>
    service === "desk"
      ? deskError(401, "SCOPE_MISMATCH", "The OAuth scope does not allow this operation.")
      : crmError(
          options.scopeMismatchStatus,
          "OAUTH_SCOPE_MISMATCH",
          "invalid oauth scope to access this URL",
        );

  /** Credits (rolling 24 h) and concurrency (per client id); answers 429 TOO_MANY_REQUESTS with no Retry-After. */
  const admit = (
    clientId: string,
    cost: number,
    heavy: boolean,
  ): { reply?: Reply; release?: () => void; headers: Record<string, string> } => {
    const now = state.ctx.clock.now();
    state.credits = state.credits.filter((c) => c.time > now - 86_400_000);
    const used = state.credits.reduce((n, c) => n + c.cost, 0);
    const slot = state.inflight.get(clientId) ?? { all: 0, heavy: 0 };
    state.inflight.set(clientId, slot);
    const tooMany = crmError(
      429,
      "TOO_MANY_REQUESTS",
      "The number of API requests has exceeded the allowed limit.",
    );
    if (used + cost > options.creditsPerDay) return { reply: tooMany, headers: {} };
    if (slot.all >= options.concurrencyLimit || (heavy && slot.heavy >= options.subConcurrencyLimit))
      return { reply: tooMany, headers: {} };
    slot.all += 1;
    if (heavy) slot.heavy += 1;
    const total = [...state.inflight.values()].reduce((n, s) => n + s.all, 0);
    state.ctx.inspector.concurrency.current = total;
    state.ctx.inspector.concurrency.peak = Math.max(state.ctx.inspector.concurrency.peak, total);
    state.credits.push({ time: now, cost });
    const usedNow = used + cost;
    // The only rate signal Zoho documents: remaining credits, once half the daily credits are used.
    const headers: Record<string, string> =
      usedNow >= options.creditsPerDay / 2
        ? { "X-API-CREDITS-REMAINING": String(options.creditsPerDay - usedNow) }
        : {};
    return {
      headers,
      release: () => {
        slot.all -= 1;
        if (heavy) slot.heavy -= 1;
        state.ctx.inspector.concurrency.current -= 1;
      },
    };
  };

  const parseJson = (raw: Buffer): { ok: true; value: unknown } | { ok: false } => {
    if (raw.length === 0) return { ok: true, value: undefined };
    try {
      return { ok: true, value: JSON.parse(raw.toString("utf8")) };
    } catch {
      return { ok: false };
    }
  };

  // ---------------------------------------------------------------- CRM routing

  const crmRoute = async (
    req: IncomingMessage,
    dc: DataCentre,
    parts: string[],
    query: Record<string, string>,
    raw: Buffer,
  ): Promise<{ reply: Reply; clientId?: string }> => {
    const fault = takeFault("crm");
    if (fault) {
      const r = await faultReply("crm", fault, req);
      return { reply: r ?? { status: 0 } };
    }
    const auth = authenticate(req, dc, "crm");
    if ("status" in auth) return { reply: auth };
    const clientId = auth.clientId;
    const [version, first, second, third] = parts;
    if (version !== "v8")
      return {
        reply: crmError(
          404,
          "INVALID_URL_PATTERN",
          "Please check if the URL trying to access is a correct one",
        ),
        clientId,
      };
    const method = req.method ?? "GET";
    const body = parseJson(raw);
    if (!body.ok) return { reply: crmError(400, "INVALID_DATA", "body is not a valid JSON", {}), clientId };

    // Decide the route, its scope and its credit cost before running it.
    let required: string[];
    let cost = 1;
    let heavy = false;
    let run: () => Reply | Promise<Reply>;
    const mod = (name: string) =>
      findModule(state.crm.modules, name)?.api_name.toLowerCase() ?? name.toLowerCase();
    const records = Array.isArray((body.value as { data?: unknown } | undefined)?.data)
      ? (body.value as { data: unknown[] }).data.length
      : 0;
    const writeCost = Math.max(1, Math.ceil(records / options.recordsPerWriteCredit));
    if (first === "settings" && second === "fields" && method === "GET") {
      required = ["ZohoCRM.settings.fields.READ"];
      run = () => state.crm.fields(query);
    } else if (first === "settings" && second === "fields" && !third && method === "POST") {
      // Create Custom Field: ZohoCRM.settings.fields.CREATE, .ALL or ZohoCRM.settings.ALL (hasScope covers prefixes).
      required = ["ZohoCRM.settings.fields.CREATE"];
      run = () => state.crm.createFields(query, body.value);
    } else if (first === "settings" && second === "modules" && method === "GET") {
      required = ["ZohoCRM.settings.modules.READ"];
      run = () => state.crm.moduleList();
    } else if (first === "coql" && method === "POST") {
      required = ["ZohoCRM.coql.READ", "ZohoCRM.modules.ALL"];
      heavy = true;
      run = () => state.crm.coql(body.value);
    } else if (first === "actions" && second === "watch" && !third) {
      const op =
        method === "GET"
          ? "READ"
          : method === "DELETE"
            ? "DELETE"
            : method === "POST"
              ? "CREATE"
              : method === "PUT" || method === "PATCH"
                ? "UPDATE"
                : undefined;
      if (!op)
        return {
          reply: crmError(405, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"),
          clientId,
        };
      required = [`ZohoCRM.notifications.${op}`];
      run = () => {
        if (method === "GET") return state.automation.listWatch(query);
        if (method === "DELETE") return state.automation.unwatch((query.channel_ids ?? "").split(","));
        if (method === "POST") return state.automation.watch(body.value);
        return state.automation.updateWatch(body.value, method === "PUT" ? "replace" : "patch");
      };
    } else if (first && !second && (method === "GET" || method === "POST" || method === "PUT")) {
      const kind = method === "GET" ? "READ" : method === "POST" ? "CREATE" : "UPDATE";
      required = [`ZohoCRM.modules.${mod(first)}.${kind}`];
      if (method !== "GET") {
        cost = writeCost;
        heavy = records > 10;
      }
      run = () =>
        method === "GET"
          ? state.crm.list(first, query)
          : state.crm.write(first, method === "POST" ? "insert" : "update", body.value, auth.userId);
    } else if (first && second === "upsert" && method === "POST") {
      required = [`ZohoCRM.modules.${mod(first)}.CREATE`];
      cost = writeCost;
      heavy = records > 10;
      run = () => state.crm.write(first, "upsert", body.value, auth.userId);
    } else if (first && second === "search" && method === "GET") {
      required = [`ZohoCRM.modules.${mod(first)}.READ`];
      heavy = true;
      run = () => state.crm.search(first, query);
    } else if (first && second && !third && (method === "GET" || method === "PUT")) {
      required = [`ZohoCRM.modules.${mod(first)}.${method === "GET" ? "READ" : "UPDATE"}`];
      run = () =>
        method === "GET"
          ? state.crm.get(first, second, query)
          : state.crm.write(first, "update", body.value, auth.userId, "api", second);
    } else if (first && second && third && method === "GET") {
      required = [`ZohoCRM.modules.${mod(first)}.READ`];
      run = () => state.crm.related(first, second, third, query);
    } else {
      return {
        reply: crmError(
          404,
          "INVALID_URL_PATTERN",
          "Please check if the URL trying to access is a correct one",
        ),
        clientId,
      };
    }
    if (
      !hasScope(auth.scopes, required) ||
      (second === "upsert" && !hasScope(auth.scopes, [`ZohoCRM.modules.${mod(first ?? "")}.UPDATE`]))
    ) {
      return { reply: scopeError("crm"), clientId };
    }
    const gate = admit(clientId, cost, heavy);
    if (gate.reply) return { reply: gate.reply, clientId };
    try {
      if (options.latencyMs > 0) await sleep(options.latencyMs);
      const reply = await run();
      return { reply: { ...reply, headers: { ...(reply.headers ?? {}), ...gate.headers } }, clientId };
    } finally {
      gate.release?.();
    }
  };

  // ---------------------------------------------------------------- Desk routing

  const deskRoute = async (
    req: IncomingMessage,
    dc: DataCentre,
    parts: string[],
    query: Record<string, string>,
    raw: Buffer,
  ): Promise<{ reply: Reply; clientId?: string }> => {
    const fault = takeFault("desk");
    if (fault) {
      const r = await faultReply("desk", fault, req);
      return { reply: r ?? { status: 0 } };
    }
    const [api, version, resource, id, sub, subId] = parts;
    if (api !== "api" || version !== "v1")
      return { reply: deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.") };
    const auth = authenticate(req, dc, "desk");
    if ("status" in auth) return { reply: auth };
    const clientId = auth.clientId;
    const desk = state.desk;
    const method = req.method ?? "GET";
    const scope = (...s: string[]) => s.every((one) => hasScope(auth.scopes, [one]));
    if (resource === "organizations" && method === "GET") {
      if (!scope("Desk.basic.READ")) return { reply: scopeError("desk"), clientId };
      return {
        reply: json(200, {
          data: [
            {
              id: desk.orgId,
              companyName: desk.seed.deskOrg.companyName,
              portalName: desk.seed.deskOrg.portalName,
              isDefault: true,
            },
          ],
        }),
        clientId,
      };
    }
    const orgId = req.headers.orgid;
    if (orgId === undefined)
      return {
        reply: deskError(
          options.deskMissingOrgIdStatus,
          "UNPROCESSABLE_ENTITY",
          "The orgId header is missing.",
        ),
        clientId,
      };
    if (orgId !== desk.orgId)
      return {
        reply: deskError(401, "OAUTH_ORG_MISMATCH", "The OAuth token does not belong to this organization."),
        clientId,
      };
    const body = parseJson(raw);
    if (!body.ok)
      return { reply: deskError(400, "BAD_REQUEST", "The request body is not valid JSON."), clientId };
    const sourceHeader = req.headers[options.deskSourceIdHeader.toLowerCase()];
    const sourceId = typeof sourceHeader === "string" ? sourceHeader : undefined;
    const agentId = desk.agents[0]?.id ?? "";
    if (options.latencyMs > 0) await sleep(options.latencyMs);
    let reply: Reply | undefined;
    const need = (...s: string[]) => (scope(...s) ? undefined : scopeError("desk"));
    if (resource === "tickets") {
      if (!id && method === "GET") reply = need("Desk.tickets.READ") ?? desk.listTickets(query);
      else if (!id && method === "POST")
        reply =
          need("Desk.tickets.CREATE") ??
          desk.createTicket((body.value ?? {}) as Record<string, unknown>, sourceId);
      else if (id && !sub && method === "GET") reply = need("Desk.tickets.READ") ?? desk.getTicket(id);
      else if (id && !sub && method === "PATCH")
        reply = need("Desk.tickets.UPDATE") ?? desk.patchTicket(id, body.value, sourceId);
      else if (id && sub === "threads" && method === "GET")
        reply = need("Desk.tickets.READ") ?? (subId ? desk.getThread(id, subId) : desk.listThreads(id));
      else if (id && sub === "comments" && method === "GET")
        reply = need("Desk.tickets.READ") ?? desk.listComments(id);
      else if (id && sub === "comments" && method === "POST")
        reply = need("Desk.tickets.UPDATE") ?? desk.addComment(id, body.value, agentId, sourceId);
      else if (id && sub === "draftReply" && (method === "POST" || (method === "PATCH" && subId)))
        reply = need("Desk.tickets.UPDATE") ?? desk.reply(id, body.value, "draft", sourceId, subId);
      else if (id && sub === "sendReply" && method === "POST")
        reply = need("Desk.tickets.UPDATE") ?? desk.reply(id, body.value, "send", sourceId);
    } else if (resource === "webhooks") {
      if (!id && method === "POST")
        reply = need("Desk.settings.CREATE", "Desk.events.CREATE") ?? (await desk.createWebhook(body.value));
      else if (!id && method === "GET")
        reply = need("Desk.settings.READ") ?? json(200, { data: [...desk.webhooks.values()] });
      else if (id && method === "GET")
        reply =
          need("Desk.settings.READ") ??
          (desk.webhooks.has(id)
            ? json(200, desk.webhooks.get(id))
            : deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found."));
      else if (id && method === "DELETE")
        reply =
          need("Desk.settings.DELETE") ??
          (desk.webhooks.delete(id)
            ? { status: 204 }
            : deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found."));
    } else if (resource === "organizationFields" && method === "GET") {
      reply = need("Desk.settings.READ") ?? desk.fields(query.module);
    } else if (resource === "mailReplyAddress" && !id && method === "GET") {
      reply =
        scope("Desk.settings.READ") || scope("Desk.basic.READ")
          ? desk.listMailReplyAddresses(query)
          : scopeError("desk");
    } else if (resource === "agents" && method === "GET") {
      reply = need("Desk.basic.READ") ?? json(200, { data: desk.agents });
    }
    return {
      reply: reply ?? deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found."),
      clientId,
    };
  };

  // ---------------------------------------------------------------- Accounts routing

  const accountsRoute = async (
    req: IncomingMessage,
    dc: DataCentre,
    rest: string,
    query: Record<string, string>,
    raw: Buffer,
  ): Promise<Reply | undefined> => {
    const fault = takeFault("accounts");
    if (fault) return faultReply("accounts", fault, req);
    const contentType = req.headers["content-type"] ?? "";
    const form = contentType.startsWith("multipart/form-data")
      ? parseMultipart(raw, contentType)
      : contentType.includes("json")
        ? {}
        : parseForm(raw.toString("utf8"));
    // Token calls accept the query string, a form body or a multipart body (the SDK's choice).
    const params = { ...query, ...form };
    if (rest === "/oauth/v2/token" && req.method === "POST") return state.accounts.token(dc, params);
    if (rest === "/oauth/v2/token/revoke" && req.method === "POST") return state.accounts.revoke(params);
    if (rest === "/oauth/v2/auth" && req.method === "GET") return state.accounts.authorize(dc, query);
    if (rest === "/oauth/serverinfo" && req.method === "GET") {
      return json(200, {
        result: "success",
        locations: Object.fromEntries(DATA_CENTRES.map((d) => [d, state.accounts.accountsUrl(d)])),
      });
    }
    return json(404, { error: "invalid_request" });
  };

  // ---------------------------------------------------------------- control

  const control = async (req: IncomingMessage, path: string, raw: Buffer): Promise<Reply> => {
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
  };

  // ---------------------------------------------------------------- dispatcher

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const query = Object.fromEntries(url.searchParams);
    let raw: Buffer;
    try {
      raw = await readBody(req, 20 * 1024 * 1024);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, {
          code: "LIMIT_EXCEEDED",
          details: {},
          message: "request body too large",
          status: "error",
        });
      throw error;
    }
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [root, dc, ...rest] = segments;
    let service: "accounts" | "crm" | "desk" | "control";
    let reply: Reply | undefined;
    let clientId: string | undefined;
    if (root === "_sandbox") {
      service = "control";
      reply = await control(req, `/${segments.slice(1).join("/")}`, raw);
    } else if (root === "accounts" && isDc(dc)) {
      service = "accounts";
      reply = await accountsRoute(req, dc, `/${rest.join("/")}`, query, raw);
    } else if (root === "api" && isDc(dc) && rest[0] === "crm") {
      service = "crm";
      ({ reply, clientId } = await crmRoute(req, dc, rest.slice(1), query, raw));
    } else if (root === "desk" && isDc(dc)) {
      service = "desk";
      ({ reply, clientId } = await deskRoute(req, dc, rest, query, raw));
    } else {
      service = "crm";
      reply = crmError(
        404,
        "INVALID_URL_PATTERN",
        "Please check if the URL trying to access is a correct one",
      );
    }
    // A hang fault leaves nothing to answer: the socket is already gone.
    if (!reply || reply.status === 0) return;
    if (service !== "control") {
      state.ctx.inspector.request({
        time: state.ctx.clock.stamp(),
        method: req.method ?? "GET",
        path: url.pathname,
        status: reply.status,
        service,
        duration_ms: Date.now() - started,
        ...(clientId ? { client_id: clientId } : {}),
      });
    }
    if (reply.status === 302 || reply.status === 204) {
      res.writeHead(reply.status, reply.headers ?? {});
      res.end();
      return;
    }
    sendJson(res, reply.status, reply.body, reply.headers);
  };

  const running = await listen(handle, options.port);
  state.ctx.baseUrl = running.url;

  const sandbox: ZohoSandbox = {
    url: running.url,
    port: running.port,
    close: running.close,
    options,
    get state() {
      return state;
    },
    demo: () => ({
      profile: options.profile,
      clientId: state.demoClient.clientId,
      clientSecret: state.demoClient.clientSecret,
      dc: state.demoClient.dc,
      scopes: DEMO_SCOPES,
      orgId: state.desk.orgId,
      accountsUrl: state.accounts.accountsUrl(state.demoClient.dc),
      apiDomain: state.accounts.apiDomain(state.demoClient.dc),
      deskUrl: state.accounts.deskUrl(state.demoClient.dc),
    }),
    grantCode: (scopes = DEMO_SCOPES, clientId = state.demoClient.clientId, ttl) =>
      state.accounts.issueGrantCode(clientId, scopes, ttl),
    accountsUrl: (dc = "us") => state.accounts.accountsUrl(dc),
    apiDomain: (dc = "us") => state.accounts.apiDomain(dc),
    deskUrl: (dc = "us") => state.accounts.deskUrl(dc),
    inject: (fault) => {
      state.faults.push({ ...fault, count: fault.count ?? 1 });
    },
    advanceClock: (seconds) => state.ctx.clock.advance(seconds),
    settle: async () => {
      while (state.ctx.pending.size > 0) await Promise.allSettled([...state.ctx.pending]);
    },
    inspect: () => ({ ...state.ctx.inspector.report(), pending_faults: state.faults, options }),
    connectHooks: (baseUrl, token) =>
      seedMediatorHooks(state.ctx, state.automation, state.desk, baseUrl, token),
    reset: () => {
      state = build(options, running.url);
    },
  };
  return sandbox;
}
