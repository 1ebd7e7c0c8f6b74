/** doctor's Zoho checks: the access token (the stored one while valid: no refresh spent), the API domain, scopes. */
import type { ZohoConnection } from "../../domain/zoho-connection.js";
import {
  CRM_SCOPE_NEEDS,
  DESK_SCOPE_NEEDS,
  FIELDS_CREATE_SCOPE_NEED,
  missingScopes,
  NOTIFICATION_SCOPE_NEEDS,
  RECOMMENDED_SCOPES,
} from "../../domain/zoho-scopes.js";
import { RefreshThrottledError, UpstreamScopeError } from "../../errors.js";
import { registerSecret } from "../../observability/redact.js";
import { checkDesk } from "./desk-checks.js";
import { CLI, messageOf } from "./fixes.js";
import { checkMapping } from "./mapping-checks.js";
import type { CheckContext, DoctorDeps } from "./types.js";

export async function checkZoho(ctx: CheckContext, deps: DoctorDeps, stored: ZohoConnection): Promise<void> {
  const { add, authFix } = ctx;
  if (stored.status === "broken") {
    add({
      id: "token",
      title: "access token",
      status: "fail",
      detail: `the connection is broken (${stored.brokenReason ?? "refresh token rejected"}); nothing refreshes it until auth runs`,
      fix: authFix(stored),
    });
    return;
  }
  const zoho = deps.zohoFor(ctx.input.connectionSecretName);
  let conn: ZohoConnection;
  try {
    const got = await zoho.token();
    registerSecret(got.token);
    const until = new Date(got.connection.accessTokenExpiresAt ?? 0).toISOString();
    add({
      id: "token",
      title: "access token",
      status: "ok",
      detail:
        zoho.refreshes() === 0
          ? `valid until ${until} (the stored token; no refresh spent)`
          : `refreshed once (the stored one had expired); valid until ${until}`,
    });
    conn = got.connection;
  } catch (error) {
    add({
      id: "token",
      title: "access token",
      status: "fail",
      detail: messageOf(error, "no usable access token"),
      fix:
        error instanceof RefreshThrottledError
          ? `wait ${Math.ceil((error.retryAfterMs ?? 600_000) / 60_000)} minutes (Zoho allows 10 refreshes per 10 minutes per refresh token), then run doctor again`
          : authFix(stored),
    });
    return;
  }

  // The API domain (and with it the DC) answers.
  try {
    const modules = await zoho.admin.crmModules();
    add({
      id: "crm-api",
      title: "CRM API",
      status: "ok",
      detail: `${conn.apiDomain} answers (${modules.length} modules)`,
    });
  } catch (error) {
    add({
      id: "crm-api",
      title: "CRM API",
      status: "fail",
      detail: messageOf(error, `${conn.apiDomain} did not answer`),
      fix:
        error instanceof UpstreamScopeError
          ? ctx.scopeFix(["ZohoCRM.settings.modules.READ"], conn.clientId)
          : `check the data centre: the connection uses ${conn.apiDomain} (dc ${conn.dc}); re-run auth with --dc (and --accounts-server) of the DC the client was registered in: ${authFix(conn)}`,
    });
  }

  checkScopes(ctx, conn);
  if (conn.desk) await checkDesk(ctx, conn, zoho);
  else
    add({
      id: "desk",
      title: "Desk org",
      status: "warn",
      detail: "no Desk org on this connection: ticket triage does not run",
      fix: `to triage tickets, run ${authFix(conn, { orgId: "<orgId>" })} (Desk: Setup > Developer Space > API shows the orgId)`,
    });
  await checkMapping(ctx, deps, conn, zoho);
}

function checkScopes(ctx: CheckContext, conn: ZohoConnection): void {
  const { add, input, scopeFix, flags } = ctx;
  if (conn.scopes.length === 0) {
    add({
      id: "scopes",
      title: "granted scopes",
      status: "warn",
      detail:
        "Zoho did not report this token's scopes (a refresh answer may omit them); the live calls below test what can be read, writes are not verified",
      fix: `to record the scopes, run ${CLI} auth${flags} --client-id ${conn.clientId} --code <grant code> with scope ${RECOMMENDED_SCOPES}`,
    });
    return;
  }
  const needs = [
    ...CRM_SCOPE_NEEDS,
    ...(input.notifications ? NOTIFICATION_SCOPE_NEEDS : []),
    ...(conn.desk ? DESK_SCOPE_NEEDS : []),
  ];
  const missing = missingScopes(conn.scopes, needs);
  add({
    id: "scopes",
    title: "granted scopes",
    status: missing.length ? "fail" : "ok",
    detail: missing.length
      ? `missing ${missing.map((m) => `${m.anyOf[0]} (${m.why})`).join("; ")}`
      : `cover CRM${input.notifications ? ", notifications" : ""}${conn.desk ? " and Desk" : ""} (${conn.scopes.join(", ")})`,
    ...(missing.length
      ? {
          fix: scopeFix(
            missing.map((m) => m.anyOf[0] as string),
            conn.clientId,
          ),
        }
      : {}),
  });
  if (!input.notifications && missingScopes(conn.scopes, NOTIFICATION_SCOPE_NEEDS).length)
    add({
      id: "scopes:notifications",
      title: "notification scope",
      status: "warn",
      detail: "ZohoCRM.notifications.ALL is not granted: Notification API channels cannot be subscribed",
      fix: scopeFix(["ZohoCRM.notifications.ALL"], conn.clientId),
    });
  if (missingScopes(conn.scopes, [FIELDS_CREATE_SCOPE_NEED]).length)
    add({
      id: "scopes:fields-create",
      title: "fields create scope",
      status: "warn",
      detail:
        "ZohoCRM.settings.fields.CREATE is not granted: `fields create` cannot make missing fields (only it needs the scope)",
      fix: scopeFix(["ZohoCRM.settings.fields.CREATE"], conn.clientId),
    });
}
