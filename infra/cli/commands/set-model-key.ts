/**
 * `zoho-gpt-mediator set-model-key`: stores the model provider's API key as `{"apiKey": ...}` in the target's model
 * key secret (names.modelKeySecret), creating it when missing. The key is read from stdin, never from argv, so it
 * stays out of shell history and process listings: `pbpaste | npx zoho-gpt-mediator set-model-key` or type it.
 */
import { SecretsManagerStore } from "../../../shared/adapters/secrets/secrets-manager-store.js";
import { registerSecret } from "../../../shared/observability/redact.js";
import { targetOf, withTargetOptions } from "../command-kit.js";
import { openWithEnv } from "../ingest-target.js";
import { failure } from "../keys.js";
import { action, EXIT, type RegisterCommand } from "../program.js";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export const setModelKeyCommand: RegisterCommand = (program, ctx) => {
  const command = withTargetOptions(
    program
      .command("set-model-key")
      .description(
        'store the model API key (read from stdin, never from the command line) as {"apiKey": ...} in the stage\'s model key secret',
      ),
  );
  command.action(
    action(ctx, async () => {
      const target = targetOf(ctx, command.opts());
      if (ctx.io.interactive) ctx.io.err("paste the model API key, then Enter and Ctrl-D:");
      const apiKey = (await readAll(ctx.io.stdin)).trim();
      if (!apiKey || /\s/.test(apiKey)) {
        ctx.io.err(
          "set-model-key failed: give exactly one key on stdin (no spaces or line breaks inside it)",
        );
        return EXIT.failure;
      }
      registerSecret(apiKey);
      const opened = openWithEnv(target, ctx.env);
      try {
        const store = new SecretsManagerStore({ client: opened.secrets() });
        const { created } = await store.upsert(target.names.modelKeySecret, JSON.stringify({ apiKey }));
        ctx.io.out(
          `${created ? "created" : "updated"} ${target.names.modelKeySecret} (the key itself is not printed)`,
        );
        return EXIT.ok;
      } catch (error) {
        ctx.io.err(`set-model-key failed: ${failure(error)}`);
        return EXIT.failure;
      } finally {
        opened.close();
      }
    }),
  );
};
