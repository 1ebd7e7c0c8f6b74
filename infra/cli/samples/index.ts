/**
 * The `send` command's samples of the Flow-triggered use cases: `npm run send -- email|transcript|document` posts
 * one to a running local stack (`npm start`) the way Zoho Flow, n8n or a Deluge `invokeUrl` would. Each kind's
 * module (`./<kind>.ts`, owned by its use case) exports `sample(): { path, body }` (the route path and the JSON
 * body) and optionally `setup(sandboxUrl)`, run first (e.g. to attach the file a document sample names).
 *
 * Where to post and with which token: the local stack registers the mediator's CRM workflow rule in the sandbox
 * with the ingest URL and the `X-Mediator-Token` header, just as a Zoho admin would; the sample goes to the same
 * ingest with the same header.
 */
import * as z from "zod";

/** The kinds `send` posts to `/v1/hooks/flow/<use case>`. */
export const FLOW_SAMPLE_KINDS = ["email", "transcript", "document"] as const;
export type FlowSampleKind = (typeof FLOW_SAMPLE_KINDS)[number];

export const isFlowSampleKind = (what: string | undefined): what is FlowSampleKind =>
  (FLOW_SAMPLE_KINDS as readonly string[]).includes(what ?? "");

/** What a sample module exports. */
export interface FlowSample {
  sample(): { path: string; body: unknown };
  setup?(sandboxUrl: string): Promise<void>;
}

const SampleModuleSchema = z.looseObject({
  sample: z.custom<FlowSample["sample"]>((v) => typeof v === "function"),
  setup: z.custom<NonNullable<FlowSample["setup"]>>((v) => typeof v === "function").optional(),
});

const SAMPLE_MODULES: Record<FlowSampleKind, () => Promise<unknown>> = {
  email: () => import("./email.js"),
  transcript: () => import("./transcript.js"),
  document: () => import("./document.js"),
};

/** The kind's sample module (`./email.ts`, ...), checked for its `sample` export. */
export async function loadSample(kind: FlowSampleKind): Promise<FlowSample> {
  let loaded: unknown;
  try {
    // One static import per kind (never a name from input), so a bundler includes each.
    loaded = await SAMPLE_MODULES[kind]();
  } catch (error) {
    throw new Error(`no ${kind} sample in this build (${(error as Error).message})`);
  }
  const parsed = SampleModuleSchema.safeParse(loaded);
  if (!parsed.success) throw new Error(`the ${kind} sample does not export sample()`);
  return parsed.data as FlowSample;
}

const RulesSchema = z.object({
  rules: z.array(
    z.looseObject({
      webhook: z.looseObject({ url: z.string(), headers: z.record(z.string(), z.string()).optional() }),
    }),
  ),
});

/**
 * The local ingest's base URL and webhook token, from the mediator's workflow rule that `npm start` registered in
 * the sandbox (`GET /_sandbox/workflow-rules`).
 */
export async function localIngest(sandboxUrl: string): Promise<{ base: string; token: string }> {
  const res = await fetch(`${sandboxUrl}/_sandbox/workflow-rules`);
  if (!res.ok) throw new Error(`the sandbox answered ${res.status} for its workflow rules`);
  const { rules } = RulesSchema.parse(await res.json());
  const rule = rules.find((r) => r.webhook.url.includes("/v1/hooks/crm/"));
  const token = rule?.webhook.headers?.["X-Mediator-Token"];
  if (!rule || !token) throw new Error("the sandbox has no mediator workflow rule yet");
  return { base: new URL(rule.webhook.url).origin, token };
}

/**
 * Runs the kind's setup (with a sandbox), then posts its sample to the ingest: the local one the sandbox's rule
 * names, or `ingest` (a deployed stage's API and token); answers the status and the job id.
 */
export async function sendFlowSample(
  kind: FlowSampleKind,
  sandboxUrl: string | undefined,
  given?: FlowSample,
  ingest?: { base: string; token: string },
): Promise<{ ok: boolean; status: number; path: string; jobId?: string; error?: string }> {
  const sample = given ?? (await loadSample(kind));
  if (!ingest && !sandboxUrl) throw new Error("no Zoho sandbox and no ingest to send to");
  const { base, token } = ingest ?? (await localIngest(sandboxUrl as string));
  if (sandboxUrl) await sample.setup?.(sandboxUrl);
  const { path, body } = sample.sample();
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "X-Mediator-Token": token },
    body: JSON.stringify(body),
  });
  const answer = (await res.json().catch(() => ({}))) as {
    jobIds?: unknown;
    error?: unknown;
    message?: unknown;
  };
  const jobId = Array.isArray(answer.jobIds) ? answer.jobIds[0] : undefined;
  return {
    ok: res.ok,
    status: res.status,
    path,
    ...(typeof jobId === "string" ? { jobId } : {}),
    ...(!res.ok ? { error: String(answer.message ?? answer.error ?? "") } : {}),
  };
}
