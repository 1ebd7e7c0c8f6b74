/**
 * Checks one Zoho connection end to end (the `doctor` command) and says, per check, what is wrong and the exact fix:
 * the connection secret, the access token (the stored one while it is valid, so no refresh is spent), the API
 * domain, the granted scopes, the Desk org and its from address, each enabled use case's field mapping against the
 * org's live metadata, the webhook secret and the model key. Never reads out a secret value.
 *
 * A problem the product works around (an optional target the org lacks) still fails the report, labelled
 * optional: doctor passes only when everything is in place. It speaks the Zoho ports only: the caller builds the
 * connection's token provider, HTTP client and adapters (`DoctorDeps.zohoFor`).
 */
import { parseConnection, type ZohoConnection } from "../../domain/zoho-connection.js";
import { registerSecret } from "../../observability/redact.js";
import { checkContext, messageOf, secretMissing, secretsFix } from "./fixes.js";
import { checkModelKey, checkWebhookSecret } from "./secret-checks.js";
import type { DoctorCheck, DoctorDeps, DoctorInput, DoctorReport } from "./types.js";
import { checkZoho } from "./zoho-checks.js";

export type {
  CheckStatus,
  DoctorCheck,
  DoctorDeps,
  DoctorInput,
  DoctorReport,
  DoctorZoho,
  MappingCheckFn,
} from "./types.js";

/** Builds the doctor use case. */
export function makeDoctor(deps: DoctorDeps) {
  return async function doctor(input: DoctorInput): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    const ctx = checkContext(input, (check) => checks.push(check));

    // The connection secret.
    let conn: ZohoConnection | undefined;
    try {
      const { value } = await deps.secrets.get(input.connectionSecretName, { fresh: true });
      conn = parseConnection(value, input.connectionSecretName);
      registerSecret(conn.clientSecret);
      registerSecret(conn.refreshToken);
      registerSecret(conn.accessToken ?? undefined);
      ctx.add({
        id: "connection-secret",
        title: "connection secret",
        status: "ok",
        detail: `${input.connectionSecretName}: dc ${conn.dc}, api domain ${conn.apiDomain}${conn.desk ? `, Desk org ${conn.desk.orgId}` : ""}`,
      });
    } catch (error) {
      const missing = secretMissing(error);
      ctx.add({
        id: "connection-secret",
        title: "connection secret",
        status: "fail",
        detail: missing
          ? `${input.connectionSecretName} does not exist`
          : messageOf(error, "cannot read the connection secret"),
        fix:
          secretsFix(error) ??
          (missing
            ? `deploy the stage (npx cdk deploy -c stage=${input.stage}) or start the local stack (npm start), then run ${ctx.authFix()}`
            : ctx.authFix()),
      });
    }

    if (conn) await checkZoho(ctx, deps, conn);
    await checkWebhookSecret(ctx, deps);
    await checkModelKey(ctx, deps);

    return { ok: checks.every((c) => c.status !== "fail"), checks };
  };
}
