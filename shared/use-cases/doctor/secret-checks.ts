/** doctor's secret checks: the webhook secret (and the notification channels' tokens) and the model key. */
import * as z from "zod";
import { parseWebhookSecrets } from "../../ingest/webhook-auth.js";
import { registerSecret } from "../../observability/redact.js";
import { messageOf, secretMissing, secretsFix } from "./fixes.js";
import type { CheckContext, DoctorDeps } from "./types.js";

const ModelSecretSchema = z.looseObject({ apiKey: z.string().min(1).optional() });

export async function checkWebhookSecret(ctx: CheckContext, deps: DoctorDeps): Promise<void> {
  const { add, input } = ctx;
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
    const missing = secretMissing(error);
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

export async function checkModelKey(ctx: CheckContext, deps: DoctorDeps): Promise<void> {
  const { add, input } = ctx;
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
