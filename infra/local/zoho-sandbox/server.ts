/**
 * The Zoho sandbox: one loopback server emulating Zoho Accounts (OAuth), CRM v8 and Desk v1 for several data
 * centres, with the demo org seeded, fault injection and an inspection endpoint. It implements every item of
 * section 8 of the Zoho notes; settings for UNCONFIRMED behaviours are in config.ts.
 *
 * URL layout (the real hosts differ per DC; here the DC is a path prefix):
 *   accounts server   {url}/accounts/{dc}     e.g. POST {url}/accounts/us/oauth/v2/token
 *   CRM api_domain    {url}/api/{dc}          e.g. GET  {url}/api/us/crm/v8/Leads?fields=Email
 *   Desk              {url}/desk/{dc}         e.g. GET  {url}/desk/us/api/v1/tickets/{id}
 *   Creator v2.1      {url}/api/{dc}          e.g. GET  {url}/api/us/creator/v2.1/data/zylker/service-desk/report/...
 *   control           {url}/_sandbox/...      faults, clock, inspection, UI-style edits (loopback only)
 *
 * This file builds the state and the public handle; dispatcher.ts takes requests apart by service, and each
 * surface's routes live in routes/ and register with the small dispatcher of router.ts (method + path pattern):
 * accounts (OAuth), CRM records, metadata, notes and tasks, attachments, search and COQL, automation (watch), Desk
 * tickets, the ticket conversation, Desk webhooks, Desk settings, and controls; all share the auth, fault and
 * rate-limit plumbing of routes/gateway.ts.
 */
import { listen, type RunningServer } from "../http.js";
import { Accounts } from "./accounts.js";
import { Automation } from "./automation.js";
import { buildBooks, mainBooksOrgId } from "./books/seed.js";
import { type DataCentre, DEFAULT_OPTIONS, type SandboxOptions, type SandboxProfile } from "./config.js";
import { buildCreator } from "./creator/store.js";
import { Crm } from "./crm.js";
import { Desk } from "./desk.js";
import { createDispatcher } from "./dispatcher.js";
import { buildModules } from "./metadata.js";
import { profileSeed } from "./profiles.js";
import { createGateway } from "./routes/gateway.js";
import { DEMO_SCOPES, seedDemoOrg, seedMediatorHooks } from "./seed.js";
import {
  Clock,
  IdGenerator,
  Inspector,
  type SandboxContext,
  type SandboxFault,
  type State,
} from "./state.js";

export type { SandboxFault } from "./state.js";

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
    /** The Books organization the demo client's user belongs to (the `organization_id` of Books calls). */
    booksOrgId: string;
    /** The Creator account owner the seeded apps live under (the connection's `creator.owner`). */
    creatorOwner: string;
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
  const books = buildBooks(ctx, crm.users);
  const creator = buildCreator(ctx, options.profile);
  // Seeding is not traffic: start the inspection log clean.
  ctx.inspector = new Inspector();
  return {
    ctx,
    accounts,
    crm,
    desk,
    automation,
    books,
    creator,
    demoClient,
    faults: [],
    credits: [],
    inflight: new Map(),
  };
}

export async function startZohoSandbox(overrides: Partial<SandboxOptions> = {}): Promise<ZohoSandbox> {
  const options: SandboxOptions = { ...DEFAULT_OPTIONS, ...overrides };
  let state = build(options, "http://127.0.0.1:0");

  const gw = createGateway(options, () => state);

  // The dispatcher reaches the sandbox object (for the control surface) once it exists.
  const running = await listen(
    createDispatcher(gw, () => sandbox),
    options.port,
  );
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
      booksOrgId: mainBooksOrgId(state.ctx),
      creatorOwner: state.creator.apps[0]?.owner ?? "",
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
