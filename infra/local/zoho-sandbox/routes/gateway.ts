/**
 * What every sandbox route shares: the sandbox state, queued faults, `Zoho-oauthtoken` authentication, scope
 * errors, and the per-client concurrency and credit gate. The dispatcher in server.ts builds one gateway per
 * sandbox and hands it to the route modules of each surface.
 */
import type { IncomingMessage } from "node:http";
import { sleep } from "../../http.js";
import type { AccessToken } from "../accounts.js";
import { DATA_CENTRES, type DataCentre, type SandboxOptions } from "../config.js";
import { crmError, deskError, json, type Reply, type SandboxFault, type State } from "../state.js";

export type { SandboxFault, State } from "../state.js";

export interface Gateway {
  readonly options: SandboxOptions;
  /** The current state (a getter: `reset` swaps it). */
  state(): State;
  takeFault(target: SandboxFault["target"]): SandboxFault | undefined;
  /** The reply a fault makes; `undefined` for a hang (the socket is gone). */
  faultReply(
    service: "accounts" | "crm" | "desk",
    fault: SandboxFault,
    req: IncomingMessage,
  ): Promise<Reply | undefined>;
  authenticate(req: IncomingMessage, dc: DataCentre, service: "crm" | "desk"): AccessToken | Reply;
  scopeError(service: "crm" | "desk"): Reply;
  admit(
    clientId: string,
    cost: number,
    heavy: boolean,
  ): { reply?: Reply; release?: () => void; headers: Record<string, string> };
}

export const isDc = (s: string | undefined): s is DataCentre => DATA_CENTRES.includes(s as DataCentre);

export const parseJson = (raw: Buffer): { ok: true; value: unknown } | { ok: false } => {
  if (raw.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw.toString("utf8")) };
  } catch {
    return { ok: false };
  }
};

export const INVALID_URL = () =>
  crmError(404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one");
export const DESK_NOT_FOUND = () =>
  deskError(404, "URL_NOT_FOUND", "The URL you requested could not be found.");

export function createGateway(options: SandboxOptions, current: () => State): Gateway {
  const takeFault = (target: SandboxFault["target"]) => {
    const state = current();
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
    const token = current().accounts.validate(header.slice(prefix.length).trim(), dc);
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
  const admit = (clientId: string, cost: number, heavy: boolean) => {
    const state = current();
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

  return { options, state: current, takeFault, faultReply, authenticate, scopeError, admit };
}
