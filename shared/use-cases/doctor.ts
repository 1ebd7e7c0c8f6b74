/**
 * Checks one Zoho connection end to end (the `doctor` command) and says, per check, what is wrong and the exact fix:
 * the connection secret, the access token (the stored one while it is valid, so no refresh is spent), the API
 * domain, the granted scopes, the Desk org and its from address, each enabled use case's field mapping against the
 * org's live metadata, the webhook secret and the model key. Never reads out a secret value.
 *
 * A problem the product works around (an optional target the org lacks) still fails the report, labelled
 * optional: doctor passes only when everything is in place.
 */
import * as z from "zod";
import { InProcessRefreshCoordinator } from "../adapters/zoho/in-process-refresh-coordinator.js";
import { TokenProvider } from "../adapters/zoho/token-provider.js";
import { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import { dcHosts } from "../config/zoho-dc.js";
import type { MappingCheck, TargetCheck } from "../domain/field-mapping.js";
import type { ZohoField } from "../domain/write-guard.js";
import { parseConnection, type ZohoConnection } from "../domain/zoho-connection.js";
import {
  CRM_SCOPE_NEEDS,
  DESK_SCOPE_NEEDS,
  FIELDS_CREATE_SCOPE_NEED,
  missingScopes,
  NOTIFICATION_SCOPE_NEEDS,
  RECOMMENDED_SCOPES,
} from "../domain/zoho-scopes.js";
import {
  ConfigError,
  ConnectionBrokenError,
  isAppError,
  RefreshThrottledError,
  UpstreamError,
  UpstreamScopeError,
} from "../errors.js";
import { parseWebhookSecrets } from "../ingest/webhook-auth.js";
import { registerSecret } from "../observability/redact.js";
import type { Clock } from "../ports/clock.js";
import type { RefreshOutcome } from "../ports/refresh-coordinator.js";
import type { SecretStore } from "../ports/secret-store.js";
import { FieldMetadata } from "../worker/field-metadata.js";
import type { RefreshRequest } from "./refresh-connection.js";

export type CheckStatus = "ok" | "warn" | "fail";

export interface DoctorCheck {
  /** Stable id for scripts and tests, e.g. `token`, `scopes`, `mapping:lead-enrichment:buying_stage`. */
  id: string;
  /** What was checked, for people. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** The exact fix: a command to run, a Zoho setup path, the scope to add. */
  fix?: string;
  /** A problem the product works around: the use case runs without it (still not a pass). */
  optional?: boolean;
}

export interface DoctorReport {
  /** True when no check failed (warnings do not fail the report). */
  ok: boolean;
  checks: DoctorCheck[];
}

/**
 * The field-mapping check (wp-mapping's `checkMappings` bound to the use-case registry): one MappingCheck per
 * enabled use case, from the org's live field metadata.
 */
export type MappingCheckFn = (deps: {
  crmFields(module: string): Promise<ZohoField[]>;
  deskFields(module: string): Promise<ZohoField[]>;
}) => Promise<MappingCheck[]>;

export interface DoctorDeps {
  secrets: SecretStore;
  /** The refresh use case; called only when the stored access token is no longer valid. */
  refresh(request: RefreshRequest): Promise<RefreshOutcome>;
  clock: Clock;
  /** Absent: the build has no mapping check, which doctor reports as a failure (it cannot vouch for the mapping). */
  checkMappings?: MappingCheckFn;
  fetch?: typeof fetch;
}

export interface DoctorInput {
  stage: string;
  connection: string;
  connectionSecretName: string;
  webhookSecretName: string;
  /** The model key secret; null when the model needs none (the local stack's model server or its env key). */
  modelSecretName: string | null;
  /** DESK_FROM_ADDRESS when configured. */
  deskFromAddress?: string;
  /** Notification API channels are configured: the webhook secret must hold their tokens, the token the scope. */
  notifications: boolean;
  /** Flags every suggested command needs to reach the same stage (e.g. `--stage dev --secrets-endpoint ...`). */
  commandFlags: string;
}

const ReplyAddressesSchema = z.object({
  data: z
    .array(
      z.looseObject({
        address: z.string().optional(),
        emailAddress: z.string().optional(),
        isActive: z.boolean().nullish(),
        isVerified: z.boolean().nullish(),
        isDefault: z.boolean().nullish(),
      }),
    )
    .default([]),
});

const ModelSecretSchema = z.looseObject({ apiKey: z.string().min(1).optional() });

const CLI = "npx zoho-gpt-mediator";

/** Builds the doctor use case. */
export function makeDoctor(deps: DoctorDeps) {
  return async function doctor(input: DoctorInput): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    const add = (check: DoctorCheck) => checks.push(check);
    const flags = input.commandFlags ? ` ${input.commandFlags}` : "";
    /** The auth command that stores this connection again, with what is known of it filled in. */
    const authFix = (c?: ZohoConnection, desk?: { orgId: string }) => {
      const hosts = c ? dcHosts(c.dc) : undefined;
      const orgId = desk?.orgId ?? c?.desk?.orgId;
      return [
        `${CLI} auth${flags} --client-id ${c?.clientId ?? "<client id>"} --dc ${c?.dc ?? "<dc>"}`,
        c && c.accountsServer !== hosts?.accountsServer ? `--accounts-server ${c.accountsServer}` : "",
        c?.desk && c.desk.base !== hosts?.deskBase ? `--desk-url ${c.desk.base}` : "",
        orgId ? `--desk-org-id ${orgId}` : "",
        c?.desk?.sourceId ? `--desk-source-id ${c.desk.sourceId}` : "",
        "--refresh-token <refresh token> (or --code <grant code>; ZOHO_CLIENT_SECRET in the environment)",
      ]
        .filter(Boolean)
        .join(" ");
    };

    // The connection secret.
    let conn: ZohoConnection | undefined;
    try {
      const { value } = await deps.secrets.get(input.connectionSecretName, { fresh: true });
      conn = parseConnection(value, input.connectionSecretName);
      registerSecret(conn.clientSecret);
      registerSecret(conn.refreshToken);
      registerSecret(conn.accessToken ?? undefined);
      add({
        id: "connection-secret",
        title: "connection secret",
        status: "ok",
        detail: `${input.connectionSecretName}: dc ${conn.dc}, api domain ${conn.apiDomain}${conn.desk ? `, Desk org ${conn.desk.orgId}` : ""}`,
      });
    } catch (error) {
      const missing = (error as { cause?: { name?: string } }).cause?.name === "ResourceNotFoundException";
      add({
        id: "connection-secret",
        title: "connection secret",
        status: "fail",
        detail: missing
          ? `${input.connectionSecretName} does not exist`
          : messageOf(error, "cannot read the connection secret"),
        fix:
          secretsFix(error) ??
          (missing
            ? `deploy the stage (npx cdk deploy -c stage=${input.stage}) or start the local stack (npm start), then run ${authFix()}`
            : authFix()),
      });
    }

    if (conn) await checkZoho(conn);
    await checkWebhookSecret();
    await checkModelKey();

    return { ok: checks.every((c) => c.status !== "fail"), checks };

    async function checkZoho(conn: ZohoConnection): Promise<void> {
      if (conn.status === "broken") {
        add({
          id: "token",
          title: "access token",
          status: "fail",
          detail: `the connection is broken (${conn.brokenReason ?? "refresh token rejected"}); nothing refreshes it until auth runs`,
          fix: authFix(conn),
        });
        return;
      }
      const coordinator = new InProcessRefreshCoordinator(deps.refresh);
      const tokens = new TokenProvider({
        secretName: input.connectionSecretName,
        secrets: deps.secrets,
        coordinator,
        clock: deps.clock,
      });
      const zoho = new ZohoHttpClient({
        tokens,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        retry: { serverErrorRetries: 1, rateLimitRetries: 1 },
      });
      try {
        const got = await tokens.get();
        registerSecret(got.token);
        const until = new Date(got.connection.accessTokenExpiresAt ?? 0).toISOString();
        add({
          id: "token",
          title: "access token",
          status: "ok",
          detail:
            coordinator.requests === 0
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
              : authFix(conn),
        });
        return;
      }

      // The API domain (and with it the DC) answers.
      try {
        const res = await zoho.request<{ modules?: unknown[] }>({
          service: "crm",
          method: "GET",
          path: "/crm/v8/settings/modules",
        });
        add({
          id: "crm-api",
          title: "CRM API",
          status: "ok",
          detail: `${conn.apiDomain} answers (${res.data?.modules?.length ?? 0} modules)`,
        });
      } catch (error) {
        add({
          id: "crm-api",
          title: "CRM API",
          status: "fail",
          detail: messageOf(error, `${conn.apiDomain} did not answer`),
          fix:
            error instanceof UpstreamScopeError
              ? scopeFix(["ZohoCRM.settings.modules.READ"], conn.clientId)
              : `check the data centre: the connection uses ${conn.apiDomain} (dc ${conn.dc}); re-run auth with --dc (and --accounts-server) of the DC the client was registered in: ${authFix(conn)}`,
        });
      }

      checkScopes(conn);
      if (conn.desk) await checkDesk(conn, zoho);
      else
        add({
          id: "desk",
          title: "Desk org",
          status: "warn",
          detail: "no Desk org on this connection: ticket triage does not run",
          fix: `to triage tickets, run ${authFix(conn, { orgId: "<orgId>" })} (Desk: Setup > Developer Space > API shows the orgId)`,
        });
      await checkMapping(conn, zoho);
    }

    function scopeFix(scopes: string[], clientId: string): string {
      return `regenerate a grant code with ${scopes.join(", ")} added (API console > Self Client > Generate Code; e.g. scope ${RECOMMENDED_SCOPES}) and run ${CLI} auth${flags} --client-id ${clientId} --code <grant code>`;
    }

    function checkScopes(conn: ZohoConnection): void {
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

    async function checkDesk(conn: ZohoConnection, zoho: ZohoHttpClient): Promise<void> {
      const desk = conn.desk as NonNullable<ZohoConnection["desk"]>;
      try {
        const res = await zoho.request<{ data?: { id: string | number }[] }>({
          service: "desk",
          method: "GET",
          path: "/api/v1/organizations",
        });
        const ids = (res.data?.data ?? []).map((o) => String(o.id));
        const found = ids.includes(desk.orgId);
        add({
          id: "desk",
          title: "Desk org",
          status: found ? "ok" : "fail",
          detail: found
            ? `org ${desk.orgId} at ${desk.base}`
            : `org ${desk.orgId} is not one of this token's organizations (${ids.join(", ") || "none"})`,
          ...(found
            ? {}
            : { fix: `run ${authFix(conn, { orgId: `<one of: ${ids.join(", ") || "none"}>` })}` }),
        });
        if (!found) return;
      } catch (error) {
        add({
          id: "desk",
          title: "Desk org",
          status: "fail",
          detail: messageOf(error, `Desk at ${desk.base} did not answer`),
          fix:
            error instanceof UpstreamScopeError
              ? scopeFix(["Desk.basic.READ"], conn.clientId)
              : `check the Desk base URL (${desk.base}) and the DC; re-run ${authFix(conn)}`,
        });
        return;
      }

      const setupPath =
        "Desk: Setup > Channels > Email > Mail Reply Address (add the address, verify it, mark it active)";
      try {
        const res = await zoho.request({
          service: "desk",
          method: "GET",
          path: "/api/v1/mailReplyAddress",
          query: { isActive: "true" },
        });
        // Shape UNCONFIRMED (Desk's "List MailReplyAddresses"): read tolerantly, keep active ones only.
        const parsed = ReplyAddressesSchema.safeParse(res.data ?? { data: [] });
        const active = (parsed.success ? parsed.data.data : [])
          .filter((a) => a.isActive !== false)
          .map((a) => ({
            address: (a.address ?? a.emailAddress ?? "").toLowerCase(),
            isDefault: a.isDefault,
          }))
          .filter((a) => a.address);
        const list = active.map((a) => a.address).join(", ") || "none";
        if (input.deskFromAddress) {
          const found = active.some((a) => a.address === input.deskFromAddress?.toLowerCase());
          add({
            id: "desk-from-address",
            title: "Desk from address",
            status: found ? "ok" : "fail",
            detail: found
              ? `DESK_FROM_ADDRESS ${input.deskFromAddress} is an active reply address`
              : `DESK_FROM_ADDRESS ${input.deskFromAddress} is not one of the org's active reply addresses (${list}); Desk refuses e-mail drafts and replies from it`,
            ...(found
              ? {}
              : {
                  fix: `set DESK_FROM_ADDRESS to one of ${list}, or add ${input.deskFromAddress} in ${setupPath}`,
                }),
          });
        } else {
          const chosen = active.find((a) => a.isDefault) ?? active[0];
          add({
            id: "desk-from-address",
            title: "Desk from address",
            status: chosen ? "ok" : "fail",
            detail: chosen
              ? `DESK_FROM_ADDRESS unset: drafts use the org's active reply address (${chosen.address}, or the ticket department's)`
              : "the org has no active mail reply address and DESK_FROM_ADDRESS is unset: Desk refuses e-mail drafts and replies",
            ...(chosen ? {} : { fix: `add a support address in ${setupPath}, or set DESK_FROM_ADDRESS` }),
          });
        }
      } catch (error) {
        add({
          id: "desk-from-address",
          title: "Desk from address",
          status: "fail",
          detail: messageOf(error, "cannot list the org's mail reply addresses"),
          fix:
            error instanceof UpstreamScopeError
              ? scopeFix(["Desk.settings.READ"], conn.clientId)
              : `check ${setupPath}`,
        });
      }
    }

    async function checkMapping(conn: ZohoConnection, zoho: ZohoHttpClient): Promise<void> {
      if (!deps.checkMappings) {
        add({
          id: "mapping",
          title: "field mapping",
          status: "fail",
          detail: "this build has no field-mapping check: the use cases' target fields were not checked",
          fix: "use a build of zoho-gpt-mediator whose doctor wires the mapping check",
        });
        return;
      }
      const metadata = new FieldMetadata(deps.clock);
      let results: MappingCheck[];
      try {
        results = await deps.checkMappings({
          crmFields: (module) => metadata.crm(zoho, conn.name, module),
          // Without a Desk org the Desk use cases do not run; their checks are dropped below.
          deskFields: (module) => (conn.desk ? metadata.desk(zoho, conn.name, module) : Promise.resolve([])),
        });
      } catch (error) {
        add({
          id: "mapping",
          title: "field mapping",
          status: "fail",
          detail: messageOf(error, "the live field metadata could not be read"),
          fix:
            error instanceof UpstreamScopeError
              ? scopeFix(["ZohoCRM.settings.fields.READ", "Desk.settings.READ"], conn.clientId)
              : "run doctor again; if it persists, check the connection checks above",
        });
        return;
      }
      for (const check of results.filter((c) => c.service === "crm" || conn.desk)) {
        const problems = check.targets.filter((t) => t.status !== "ok");
        const bound = check.targets.filter((t) => t.status === "ok");
        add({
          id: `mapping:${check.useCase}`,
          title: `mapping ${check.useCase}`,
          status: check.runnable ? "ok" : "fail",
          detail: `${check.service} ${check.module}: ${bound.length} of ${check.targets.length} targets bound${check.runnable ? "" : "; a required target is not usable, the use case does not run"}`,
        });
        for (const target of problems) add(targetCheck(check, target));
      }
    }

    function targetCheck(check: MappingCheck, target: TargetCheck): DoctorCheck {
      const what: Record<TargetCheck["status"], string> = {
        ok: "bound",
        missing: `${check.module} has no field ${target.field}`,
        "wrong-type": `${check.module}.${target.field} is ${target.found ?? "of another type"}`,
        "read-only": `${check.module}.${target.field} is read-only for the integration user`,
      };
      const bare = `${CLI} fields create ${check.useCase}`;
      const createFix = target.status === "missing" && target.create ? `${bare}${flags}` : undefined;
      // The mapping's own fix may name the command already: give it this stage's flags rather than say it twice.
      const fix =
        createFix && target.fix?.includes(bare)
          ? target.fix.replaceAll(bare, createFix)
          : [createFix, target.fix].filter(Boolean).join("; or ");
      return {
        id: `mapping:${check.useCase}:${target.key}`,
        title: `${check.useCase} ${target.key}`,
        status: "fail",
        detail: `${what[target.status]} (needs ${target.expected})${target.required ? "" : " — optional: the use case runs without it"}`,
        ...(fix ? { fix } : {}),
        ...(target.required ? {} : { optional: true }),
      };
    }

    async function checkWebhookSecret(): Promise<void> {
      try {
        const { value } = await deps.secrets.get(input.webhookSecretName, { fresh: true });
        const secrets = parseWebhookSecrets(value, input.webhookSecretName);
        registerSecret(secrets.token);
        for (const t of secrets.notificationTokens) registerSecret(t);
        add({
          id: "webhook-secret",
          title: "webhook secret",
          status: "ok",
          detail: `${input.webhookSecretName} has a token${secrets.previousToken ? " (and a previous one in rotation)" : ""}, ${secrets.hmacKeys.length} HMAC key(s)`,
        });
        if (input.notifications)
          add({
            id: "notification-tokens",
            title: "notification tokens",
            status: secrets.notificationTokens.length ? "ok" : "fail",
            detail: secrets.notificationTokens.length
              ? `${secrets.notificationTokens.length} Notification API channel token(s)`
              : "notification channels are configured but the webhook secret holds no channel token: every callback gets 401",
            ...(secrets.notificationTokens.length
              ? {}
              : {
                  fix: "let the channel manager subscribe the channels (it stores their tokens), or add each channel's token to notificationTokens in the webhook secret",
                }),
          });
      } catch (error) {
        const missing = (error as { cause?: { name?: string } }).cause?.name === "ResourceNotFoundException";
        add({
          id: "webhook-secret",
          title: "webhook secret",
          status: "fail",
          detail: missing
            ? `${input.webhookSecretName} does not exist`
            : messageOf(error, "cannot read the webhook secret"),
          fix:
            secretsFix(error) ??
            (missing
              ? `deploy the stage (npx cdk deploy -c stage=${input.stage}), which generates it; locally npm start creates it`
              : `set ${input.webhookSecretName} to {"token": "<at least 20 characters>", "previousToken": null, "hmacKeys": [], "notificationTokens": []}`),
        });
      }
    }

    async function checkModelKey(): Promise<void> {
      if (input.modelSecretName === null) {
        add({
          id: "model-key",
          title: "model key",
          status: "ok",
          detail: "no key secret needed: the local stack uses its model server, or OPENAI_API_KEY when set",
        });
        return;
      }
      const setFix = `aws secretsmanager put-secret-value --secret-id ${input.modelSecretName} --secret-string '{"apiKey":"<your key>"}'`;
      try {
        const { value } = await deps.secrets.get(input.modelSecretName, { fresh: true });
        let parsed: z.infer<typeof ModelSecretSchema> | undefined;
        try {
          const r = ModelSecretSchema.safeParse(JSON.parse(value));
          parsed = r.success ? r.data : undefined;
        } catch {
          parsed = undefined;
        }
        registerSecret(parsed?.apiKey);
        add({
          id: "model-key",
          title: "model key",
          status: parsed?.apiKey ? "ok" : "fail",
          detail: parsed?.apiKey
            ? `${input.modelSecretName} holds an apiKey`
            : `${input.modelSecretName} has no apiKey (still the generated placeholder?)`,
          ...(parsed?.apiKey ? {} : { fix: setFix }),
        });
      } catch (error) {
        add({
          id: "model-key",
          title: "model key",
          status: "fail",
          detail: messageOf(error, `cannot read ${input.modelSecretName}`),
          fix: secretsFix(error) ?? setFix,
        });
      }
    }
  };
}

/** The fix when Secrets Manager itself could not be asked (unreachable, no credentials), else undefined. */
function secretsFix(error: unknown): string | undefined {
  if (error instanceof UpstreamError && error.upstream === "aws")
    return "Secrets Manager could not be reached: check --region and --secrets-endpoint (locally: is npm start running?)";
  if (error instanceof ConfigError && /no AWS credentials/.test(error.message))
    return "configure AWS credentials for the target account (AWS_PROFILE, or the AWS_* environment variables)";
  return undefined;
}

/** An error's message when it is ours (they never carry secrets), else a generic text. */
function messageOf(error: unknown, fallback: string): string {
  if (error instanceof ConnectionBrokenError) return `the connection is broken (${error.reason})`;
  if (isAppError(error) || error instanceof ConfigError) return error.message;
  return `${fallback} (${(error as Error)?.name ?? "error"})`;
}
