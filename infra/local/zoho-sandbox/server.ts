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
 *
 * This file builds the state and dispatches by service; each surface's routes live in routes/ (accounts, CRM
 * records, metadata, related lists, search/COQL, automation, Desk tickets, Desk webhooks, Desk settings, controls),
 * sharing the auth, fault and rate-limit plumbing of routes/gateway.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLargeError, listen, type RunningServer, readBody, sendJson } from "../http.js";
import { Accounts } from "./accounts.js";
import { Automation } from "./automation.js";
import { type DataCentre, DEFAULT_OPTIONS, type SandboxOptions, type SandboxProfile } from "./config.js";
import { Crm } from "./crm.js";
import { Desk } from "./desk.js";
import { buildModules } from "./metadata.js";
import { profileSeed } from "./profiles.js";
import { accountsRoute } from "./routes/accounts.js";
import { control } from "./routes/control.js";
import { crmRoute } from "./routes/crm.js";
import { deskRoute } from "./routes/desk.js";
import { createGateway, INVALID_URL, isDc, type SandboxFault, type State } from "./routes/gateway.js";
import { DEMO_SCOPES, seedDemoOrg, seedMediatorHooks } from "./seed.js";
import { Clock, IdGenerator, Inspector, type Reply, type SandboxContext } from "./state.js";

export type { SandboxFault } from "./routes/gateway.js";

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

export async function startZohoSandbox(overrides: Partial<SandboxOptions> = {}): Promise<ZohoSandbox> {
  const options: SandboxOptions = { ...DEFAULT_OPTIONS, ...overrides };
  let state = build(options, "http://127.0.0.1:0");

  const gw = createGateway(options, () => state);

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
      reply = await control(gw, sandbox, req, `/${segments.slice(1).join("/")}`, raw);
    } else if (root === "accounts" && isDc(dc)) {
      service = "accounts";
      reply = await accountsRoute(gw, req, dc, `/${rest.join("/")}`, query, raw);
    } else if (root === "api" && isDc(dc) && rest[0] === "crm") {
      service = "crm";
      ({ reply, clientId } = await crmRoute(gw, req, dc, rest.slice(1), query, raw));
    } else if (root === "desk" && isDc(dc)) {
      service = "desk";
      ({ reply, clientId } = await deskRoute(gw, req, dc, rest, query, raw));
    } else {
      service = "crm";
      reply = INVALID_URL();
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
