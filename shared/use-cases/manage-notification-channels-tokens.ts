/**
 * The notification channels' tokens, kept in the webhook secret next to the tokens the ingest reads: one per
 * connection, stored BEFORE Zoho is told about it. A renewal rotates it (the new token is added, the one it
 * replaces stays accepted, the one before that is dropped); a renewal that failed does not rotate again. Tokens
 * the product did not generate (added by hand) are never touched.
 */
import * as z from "zod";
import { ConfigError } from "../errors.js";
import { WebhookSecretsSchema } from "../ingest/webhook-auth.js";
import { registerSecret } from "../observability/redact.js";
import type { SecretStore } from "../ports/secret-store.js";

/** The product's per-connection token bookkeeping. */
const ManagedSchema = z.record(
  z.string(),
  z.object({
    token: z.string(),
    previousToken: z.string().nullable(),
    /** False until a subscription with `token` succeeded; a failed renewal then reuses it instead of rotating. */
    confirmed: z.boolean(),
  }),
);
type Managed = z.infer<typeof ManagedSchema>;
/** The key under which the bookkeeping lives in the webhook secret (the ingest ignores unknown keys). */
export const MANAGED_KEY = "managedNotificationChannels";

export function channelTokens(deps: {
  secrets: SecretStore;
  webhookSecretName: string;
  /** A fresh channel token (Zoho allows at most 50 characters). */
  newToken: () => string;
}) {
  const name = deps.webhookSecretName;

  /** Reads the webhook secret, keeping every key (the ingest's schema validates the ones it needs). */
  async function readSecret(): Promise<{ raw: Record<string, unknown>; managed: Managed; tokens: string[] }> {
    const { value } = await deps.secrets.get(name, { fresh: true });
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(value) as Record<string, unknown>;
    } catch {
      throw new ConfigError(`webhook secret "${name}" is not JSON`);
    }
    const parsed = WebhookSecretsSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`webhook secret "${name}" is malformed`);
    const managed = ManagedSchema.safeParse(raw[MANAGED_KEY] ?? {});
    return { raw, managed: managed.success ? managed.data : {}, tokens: parsed.data.notificationTokens };
  }

  return {
    /**
     * The token to subscribe with: the unconfirmed one of a failed renewal, else a new one, stored first (`fresh`:
     * the ingest may not accept it before the propagation wait).
     */
    async tokenFor(connection: string): Promise<{ token: string; fresh: boolean }> {
      const { raw, managed, tokens } = await readSecret();
      const mine = managed[connection];
      for (const t of [mine?.token, mine?.previousToken]) if (t) registerSecret(t);
      if (mine && !mine.confirmed && tokens.includes(mine.token)) return { token: mine.token, fresh: false };
      const token = deps.newToken();
      registerSecret(token);
      const dropped = mine?.confirmed ? mine.previousToken : null;
      const next = {
        ...raw,
        notificationTokens: [...tokens.filter((t) => t !== dropped), token],
        [MANAGED_KEY]: {
          ...managed,
          [connection]: { token, previousToken: mine?.token ?? null, confirmed: false },
        },
      };
      await deps.secrets.put(name, JSON.stringify(next));
      return { token, fresh: true };
    },

    /** Marks the connection's token as used by a successful subscription. */
    async confirm(connection: string, token: string): Promise<void> {
      const { raw, managed } = await readSecret();
      const mine = managed[connection];
      if (!mine || mine.token !== token || mine.confirmed) return;
      await deps.secrets.put(
        name,
        JSON.stringify({ ...raw, [MANAGED_KEY]: { ...managed, [connection]: { ...mine, confirmed: true } } }),
      );
    },
  };
}
