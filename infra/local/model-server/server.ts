/**
 * The built-in model server: an OpenAI-compatible stand-in for development and tests, not a model.
 *
 * It serves `POST /v1/chat/completions` and `POST /v1/responses` (non-streaming). With a strict `json_schema`
 * response format it answers schema-valid JSON derived deterministically from the user text (see schema-filler.ts),
 * with realistic `usage` counts, so the pipeline runs end to end offline. Point the mediator at a real model by
 * setting `OPENAI_BASE_URL`/`OPENAI_API_KEY`; nothing else changes.
 *
 * Control endpoints (loopback only): `POST /_model/faults` queues faults, `POST /_model/config` sets a fixed delay,
 * `GET /_model/inspect` reports requests and faults served (`?messages=1` adds the messages of the last
 * RECEIVED_KEPT requests, so tests can check what the model was told), `POST /_model/reset` clears everything.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { encode } from "gpt-tokenizer";
import { listen, type RunningServer, readBody, sendJson, sleep } from "../http.js";
import { PromptCache } from "./prompt-cache.js";
import { fillSchema, type JsonSchema } from "./schema-filler.js";

/**
 * One queued fault; `count` requests in a row get it, then it is used up. With `match`, only a request whose
 * user text contains that string gets it (so parallel tests can script one request each); faults without
 * `match` keep their queue order.
 */
export type ModelFault = (
  | { kind: "429"; count?: number; retryAfter?: number; retryAfterMs?: number }
  | { kind: "500" | "502" | "503"; count?: number }
  | { kind: "slow"; count?: number; delayMs: number }
  | { kind: "hang"; count?: number }
  | { kind: "malformed"; count?: number; variant?: "truncated" | "schema" }
  | { kind: "refusal"; count?: number }
  /** A scripted assistant text, e.g. what a model that obeyed an injected instruction would answer. */
  | { kind: "answer"; count?: number; content: string }
) & { match?: string };

/** How many recent requests' messages the server keeps for inspection (bounded: benchmarks send thousands). */
export const RECEIVED_KEPT = 1_000;

/** What one model request carried: its endpoint, its messages as role and text, and the images it sent. */
export interface ReceivedRequest {
  endpoint: string;
  messages: { role: string; content: string }[];
  /** Image parts (`image_url` in chat, `input_image` in responses), in order: their type, size and token cost. */
  images?: { mediaType: string; width: number; height: number; tokens: number }[];
}

export interface ModelServerOptions {
  port?: number;
  /**
   * Latency of every answer: it leaves this long after its request arrived, the server's own work (parsing,
   * tokenizing, building the answer) included, as a provider's latency includes its compute (the benchmarks use
   * it). @default 0
   */
  delayMs?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. @default undefined (any key accepted) */
  apiKey?: string;
}

export interface ModelServer extends RunningServer {
  /** Queues faults for the next requests (same as `POST /_model/faults`). */
  inject(...faults: ModelFault[]): void;
  setDelay(ms: number): void;
  stats(): ModelStats;
  /** The messages of the last RECEIVED_KEPT requests, oldest first. */
  received(): ReceivedRequest[];
  reset(): void;
}

export interface ModelStats {
  requests: number;
  by_endpoint: Record<string, number>;
  by_status: Record<string, number>;
  faults_served: Record<string, number>;
  prompt_tokens: number;
  completion_tokens: number;
  /** Image parts received (each counted in `prompt_tokens`). */
  images: number;
  /** Prompt tokens served from the prompt cache (`prompt_tokens_details.cached_tokens`, summed; see prompt-cache.ts). */
  cached_tokens: number;
  /**
   * The largest system prompt + response schema (`json_schema` as sent) of any request, in o200k tokens: the fixed
   * prefix every call of a use case pays, which the bench reports as `prompt_overhead_tokens`.
   */
  prefix_tokens_max: number;
}

type Message = { role?: string; content?: unknown };
const MODEL_FINGERPRINT = "fp_mediator_local";

/** Rough tokenizer for answers: about 4 characters per token, as OpenAI's guidance for English text. */
const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    // Text parts only: an image part adds no text (the answer stays the same with or without images).
    return content
      .filter((part) => part && typeof part === "object" && "text" in part)
      .map((part) => String((part as { text: unknown }).text))
      .join("\n");
  }
  return "";
}

/** An image part's data URL, from a chat `image_url` part or a responses `input_image` part; else undefined. */
function imageUrlOf(part: unknown): { url: string; detail?: string } | undefined {
  if (!part || typeof part !== "object") return undefined;
  const p = part as { type?: unknown; image_url?: unknown; detail?: unknown };
  if (p.type === "image_url" && p.image_url && typeof p.image_url === "object") {
    const u = p.image_url as { url?: unknown; detail?: unknown };
    if (typeof u.url === "string")
      return { url: u.url, ...(typeof u.detail === "string" ? { detail: u.detail } : {}) };
  }
  if (p.type === "input_image" && typeof p.image_url === "string")
    return { url: p.image_url, ...(typeof p.detail === "string" ? { detail: p.detail } : {}) };
  return undefined;
}

/** Width and height from a PNG's IHDR or a JPEG's SOF marker; undefined when the bytes are neither. */
export function imageSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47)
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1] as number;
    const length = bytes.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + length;
  }
  return undefined;
}

/**
 * OpenAI's published image cost: 85 tokens at low detail; otherwise the image is fitted in 2048x2048, its short
 * side scaled to 768, and each 512-pixel tile costs 170 more.
 */
export function imageTokens(width: number, height: number, detail?: string): number {
  if (detail === "low") return 85;
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(w, h);
  if (short > 768) {
    w *= 768 / short;
    h *= 768 / short;
  }
  return 85 + 170 * Math.ceil(w / 512) * Math.ceil(h / 512);
}

/** The images of a request's messages, or the reason one is not a valid base64 PNG/JPEG data URL. */
function imagesOf(
  messages: Message[],
): { ok: true; images: NonNullable<ReceivedRequest["images"]> } | { ok: false; reason: string } {
  const images: NonNullable<ReceivedRequest["images"]> = [];
  for (const m of messages) {
    if (!Array.isArray(m.content)) continue;
    for (const part of m.content) {
      const image = imageUrlOf(part);
      if (!image) continue;
      const data = image.url.match(/^data:(image\/(?:png|jpeg));base64,([A-Za-z0-9+/=]+)$/);
      const size = data ? imageSize(Buffer.from(data[2] as string, "base64")) : undefined;
      if (!data || !size) return { ok: false, reason: "Invalid image: send a base64 PNG or JPEG data URL." };
      images.push({
        mediaType: data[1] as string,
        ...size,
        tokens: imageTokens(size.width, size.height, image.detail),
      });
    }
  }
  return { ok: true, images };
}

/**
 * The response schema as the client sent it, as one JSON text: chat's `response_format.json_schema` (name, strict,
 * schema), or the same fields of a responses `text.format`.
 */
function sentSchema(format: Record<string, unknown>, isChat: boolean): unknown {
  if (isChat) return format.json_schema;
  const { type: _type, ...rest } = format;
  return rest;
}

/**
 * o200k tokens of the fixed parts of prompts (system prompts, response schemas), kept for the texts seen last: every
 * call of a use case sends the same ones, and tokenizing them again per call is most of the server's own work.
 */
class PrefixTokens {
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly kept = 64) {}
  of(text: string): number[] {
    let tokens = this.seen.get(text);
    if (tokens) {
      // Most recently used last: the first entry is the one to drop.
      this.seen.delete(text);
    } else {
      tokens = encode(text);
      if (this.seen.size >= this.kept) this.seen.delete(this.seen.keys().next().value as string);
    }
    this.seen.set(text, tokens);
    return tokens;
  }
}

function openAiError(status: number, message: string, type: string, code: string | null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

export async function startModelServer(options: ModelServerOptions = {}): Promise<ModelServer> {
  let delayMs = options.delayMs ?? 0;
  const prefixTokens = new PrefixTokens();
  const faults: (ModelFault & { count: number })[] = [];
  const fresh = (): ModelStats => ({
    requests: 0,
    by_endpoint: {},
    by_status: {},
    faults_served: {},
    prompt_tokens: 0,
    completion_tokens: 0,
    images: 0,
    cached_tokens: 0,
    prefix_tokens_max: 0,
  });
  let stats = fresh();
  const promptCache = new PromptCache();
  let received: ReceivedRequest[] = [];
  const bump = (map: Record<string, number>, key: string) => {
    map[key] = (map[key] ?? 0) + 1;
  };

  const takeFault = (userText: string): ModelFault | undefined => {
    const i = faults.findIndex((f) => f.match === undefined || userText.includes(f.match));
    const fault = faults[i];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) faults.splice(i, 1);
    bump(stats.faults_served, fault.kind);
    return fault;
  };

  const reply = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    bump(stats.by_status, String(status));
    sendJson(res, status, body, { "x-request-id": `req_${randomBytes(8).toString("hex")}`, ...headers });
  };

  /** Builds the assistant's text for a request: schema-filled JSON, a JSON object, or plain text. */
  const answer = (
    schema: JsonSchema | undefined,
    jsonMode: boolean,
    userText: string,
    fault?: ModelFault,
  ) => {
    if (fault?.kind === "answer") return fault.content;
    if (fault?.kind === "malformed") {
      if (fault.variant === "schema") return JSON.stringify({ unexpected: true });
      const full = JSON.stringify(schema ? fillSchema(schema, userText) : { text: userText.slice(0, 80) });
      return full.slice(0, Math.max(1, Math.floor(full.length / 2)));
    }
    if (schema) return JSON.stringify(fillSchema(schema, userText));
    if (jsonMode) return JSON.stringify({ summary: userText.slice(0, 200) });
    const first = userText.split(/(?<=[.!?])\s+/)[0] ?? "";
    return `Summary: ${first.slice(0, 300)}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrived = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const raw = (await readBody(req)).toString("utf8");
    const parse = (): Record<string, unknown> => (raw ? (JSON.parse(raw) as Record<string, unknown>) : {});

    if (url.pathname.startsWith("/_model/")) {
      if (url.pathname === "/_model/faults" && req.method === "POST") {
        const body = parse();
        const list = (Array.isArray(body.faults) ? body.faults : [body]) as ModelFault[];
        server.inject(...list);
        return sendJson(res, 200, { queued: faults.length });
      }
      if (url.pathname === "/_model/config" && req.method === "POST") {
        const body = parse();
        if (typeof body.delayMs === "number") delayMs = body.delayMs;
        return sendJson(res, 200, { delayMs });
      }
      if (url.pathname === "/_model/inspect")
        return sendJson(res, 200, {
          ...stats,
          pending_faults: faults,
          delayMs,
          ...(url.searchParams.get("messages") === "1" ? { received } : {}),
        });
      if (url.pathname === "/_model/reset" && req.method === "POST") {
        server.reset();
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { error: { message: "unknown control endpoint" } });
    }

    stats.requests += 1;
    bump(stats.by_endpoint, `${req.method} ${url.pathname}`);
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      const e = openAiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
      return reply(res, e.status, e.body);
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return reply(res, 200, {
        object: "list",
        data: [{ id: "mediator-local", object: "model", created: 0, owned_by: "local" }],
      });
    }
    const isChat = req.method === "POST" && url.pathname === "/v1/chat/completions";
    const isResponses = req.method === "POST" && url.pathname === "/v1/responses";
    if (!isChat && !isResponses) {
      const e = openAiError(
        404,
        `Unknown request URL: ${req.method} ${url.pathname}.`,
        "invalid_request_error",
        "unknown_url",
      );
      return reply(res, e.status, e.body);
    }
    let body: Record<string, unknown>;
    try {
      body = parse();
    } catch {
      const e = openAiError(
        400,
        "We could not parse the JSON body of your request.",
        "invalid_request_error",
        null,
      );
      return reply(res, e.status, e.body);
    }
    if (body.stream === true) {
      const e = openAiError(
        400,
        "The local model server does not stream; send stream: false.",
        "invalid_request_error",
        "unsupported_value",
      );
      return reply(res, e.status, e.body);
    }
    if (typeof body.model !== "string" || body.model.length === 0) {
      const e = openAiError(400, "you must provide a model parameter", "invalid_request_error", null);
      return reply(res, e.status, e.body);
    }

    // Collect the conversation. User text is the data the answer is derived from; the system prompt is not.
    let messages: Message[];
    let format: Record<string, unknown> | undefined;
    if (isChat) {
      messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
      format = body.response_format as Record<string, unknown> | undefined;
    } else {
      const input = body.input;
      messages =
        typeof input === "string"
          ? [{ role: "user", content: input }]
          : Array.isArray(input)
            ? (input as Message[])
            : [];
      if (typeof body.instructions === "string")
        messages.unshift({ role: "system", content: body.instructions });
      format = (body.text as { format?: Record<string, unknown> } | undefined)?.format;
    }
    if (messages.length === 0) {
      const e = openAiError(
        400,
        isChat ? "'messages' must contain at least one message." : "'input' is required.",
        "invalid_request_error",
        null,
      );
      return reply(res, e.status, e.body);
    }
    const allText = messages.map((m) => contentText(m.content)).join("\n");
    const userText =
      messages
        .filter((m) => m.role === "user")
        .map((m) => contentText(m.content))
        .join("\n") || allText;
    const images = imagesOf(messages);
    if (!images.ok) {
      const e = openAiError(400, images.reason, "invalid_request_error", "invalid_image_format");
      return reply(res, e.status, e.body);
    }
    received.push({
      endpoint: url.pathname,
      messages: messages.map((m) => ({ role: String(m.role ?? ""), content: contentText(m.content) })),
      ...(images.images.length ? { images: images.images } : {}),
    });
    if (received.length > RECEIVED_KEPT) received = received.slice(-RECEIVED_KEPT);
    const schemaHolder = isChat ? (format?.json_schema as Record<string, unknown> | undefined) : format;
    const schema =
      format?.type === "json_schema" ? (schemaHolder?.schema as JsonSchema | undefined) : undefined;
    if (format?.type === "json_schema" && !schema) {
      const e = openAiError(
        400,
        "Missing required parameter: 'response_format.json_schema.schema'.",
        "invalid_request_error",
        "missing_required_parameter",
      );
      return reply(res, e.status, e.body);
    }

    const fault = takeFault(userText);
    if (fault?.kind === "429") {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
      const e = openAiError(
        429,
        "Rate limit reached for requests. Please try again later.",
        "requests",
        "rate_limit_exceeded",
      );
      return reply(res, e.status, e.body, headers);
    }
    if (fault && ["500", "502", "503"].includes(fault.kind)) {
      const e = openAiError(
        Number(fault.kind),
        "The server had an error while processing your request.",
        "server_error",
        null,
      );
      return reply(res, e.status, e.body);
    }
    if (fault?.kind === "hang") {
      // Never answers; the client's timeout must end the call. The socket closes when the server stops.
      await new Promise<void>((resolve) => req.socket.once("close", resolve));
      return;
    }
    const wait = (fault?.kind === "slow" ? fault.delayMs : 0) + delayMs;

    const refusal = fault?.kind === "refusal" ? "I'm sorry, but I can't help with that request." : null;
    const text = refusal ? "" : answer(schema, format?.type === "json_object", userText, fault);
    // Images cost what OpenAI charges for them; the answer stays derived from the text alone (deterministic).
    const imageCost = images.images.reduce((sum, i) => sum + i.tokens, 0);
    stats.images += images.images.length;
    // The prompt as o200k tokens in the order a provider's cache sees it: system, response schema, the rest.
    const isSystem = (m: Message) => m.role === "system" || m.role === "developer";
    const systemTokens = prefixTokens.of(
      messages
        .filter(isSystem)
        .map((m) => contentText(m.content))
        .join("\n"),
    );
    const schemaTokens =
      format?.type === "json_schema" ? prefixTokens.of(JSON.stringify(sentSchema(format, isChat))) : [];
    const sequence = [
      ...systemTokens,
      ...schemaTokens,
      ...messages.filter((m) => !isSystem(m)).flatMap((m) => encode(contentText(m.content))),
    ];
    const promptTokens = sequence.length + 3 * messages.length + imageCost;
    const cachedTokens = promptCache.serve(sequence, String(body.model));
    const completionTokens = refusal ? tokens(refusal) : tokens(text);
    stats.prompt_tokens += promptTokens;
    stats.completion_tokens += completionTokens;
    stats.cached_tokens += cachedTokens;
    stats.prefix_tokens_max = Math.max(stats.prefix_tokens_max, systemTokens.length + schemaTokens.length);
    // The answer leaves `wait` after the request arrived, whatever the work above took.
    const left = wait - (performance.now() - arrived);
    if (left > 0) await sleep(left);
    const created = Math.floor(Date.now() / 1000);

    if (isChat) {
      return reply(res, 200, {
        id: `chatcmpl-${randomBytes(12).toString("hex")}`,
        object: "chat.completion",
        created,
        model: body.model,
        system_fingerprint: MODEL_FINGERPRINT,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: refusal ? null : text, refusal, annotations: [] },
            logprobs: null,
            finish_reason: "stop",
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens,
          prompt_tokens_details: { cached_tokens: cachedTokens, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      });
    }
    const content = refusal
      ? [{ type: "refusal", refusal }]
      : [{ type: "output_text", text, annotations: [], logprobs: [] }];
    return reply(res, 200, {
      id: `resp_${randomBytes(12).toString("hex")}`,
      object: "response",
      created_at: created,
      status: "completed",
      error: null,
      incomplete_details: null,
      instructions: typeof body.instructions === "string" ? body.instructions : null,
      model: body.model,
      output: [
        {
          type: "message",
          id: `msg_${randomBytes(12).toString("hex")}`,
          status: "completed",
          role: "assistant",
          content,
        },
      ],
      parallel_tool_calls: true,
      temperature: 1,
      tool_choice: "auto",
      tools: [],
      top_p: 1,
      text: { format: format ?? { type: "text" } },
      usage: {
        input_tokens: promptTokens,
        input_tokens_details: { cached_tokens: cachedTokens },
        output_tokens: completionTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: promptTokens + completionTokens,
      },
    });
  };

  const running = await listen(handle, options.port ?? 0);
  const server: ModelServer = {
    url: running.url,
    port: running.port,
    close: running.close,
    inject: (...list) => {
      for (const fault of list) faults.push({ ...fault, count: fault.count ?? 1 } as never);
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    stats: () => structuredClone(stats),
    received: () => structuredClone(received),
    reset: () => {
      faults.length = 0;
      stats = fresh();
      promptCache.clear();
      received = [];
      delayMs = options.delayMs ?? 0;
    },
  };
  return server;
}
