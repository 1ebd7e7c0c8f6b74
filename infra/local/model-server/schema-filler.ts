/**
 * Produces a value that satisfies a JSON Schema (the strict Structured Outputs subset) and is derived
 * deterministically from the input text: enums chosen by word overlap, strings extracted from the text,
 * numbers within bounds, nested objects and arrays. The same text and schema always give the same value.
 */
import { createHash } from "node:crypto";

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  description?: string;
};

const MAX_DEPTH = 8;
const NOTHING = Symbol("nothing found");

/** Splits text into lower-case words; identifiers like `buyingStage` or `buying_stage` give two words. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function hash(...parts: string[]): number {
  return createHash("sha256").update(parts.join("\u0000")).digest().readUInt32BE(0);
}

function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => words(s).length >= 3);
}

/** True when two words are the same or share a 5-letter stem ("qualified" ~ "qualification"). */
const near = (a: string, b: string): boolean =>
  a === b || (a.length >= 5 && b.length >= 5 && a.slice(0, 5) === b.slice(0, 5));

class Filler {
  private readonly textWords: string[];
  private readonly sentenceList: string[];

  constructor(
    private readonly text: string,
    private readonly root: JsonSchema,
  ) {
    this.textWords = words(text);
    this.sentenceList = sentences(text);
  }

  private overlap(candidate: string): number {
    const cw = words(candidate);
    return cw.reduce((n, w) => n + this.textWords.filter((t) => near(t, w)).length, 0);
  }

  private resolve(schema: JsonSchema): JsonSchema {
    if (!schema.$ref) return schema;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref);
    const target = match
      ? (match[1] === "$defs" ? this.root.$defs : this.root.definitions)?.[match[2] ?? ""]
      : undefined;
    if (schema.$ref === "#") return this.root;
    if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
    return target;
  }

  fill(input: JsonSchema, path: string, depth: number): unknown {
    const schema = this.resolve(input);
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return this.pickEnum(schema.enum, path);
    const options = schema.anyOf ?? schema.oneOf;
    if (options) {
      const nonNull = options.filter((o) => this.resolve(o).type !== "null");
      const nullable = nonNull.length < options.length;
      if (nonNull.length === 0 || depth >= MAX_DEPTH) return null;
      const choice = nonNull[hash(this.text, path) % nonNull.length] as JsonSchema;
      const value = this.fillTyped(this.resolve(choice), path, depth, nullable);
      return value === NOTHING ? null : value;
    }
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    const nullable = types.includes("null");
    const type = types.find((t) => t !== "null") ?? (schema.properties ? "object" : undefined);
    if (!type) return null;
    const value = this.fillTyped({ ...schema, type }, path, depth, nullable);
    return value === NOTHING ? (nullable ? null : this.fallbackString(schema, path)) : value;
  }

  private fillTyped(schema: JsonSchema, path: string, depth: number, nullable: boolean): unknown {
    if (schema.enum) return this.pickEnum(schema.enum, path);
    switch (schema.type) {
      case "object": {
        const out: Record<string, unknown> = {};
        for (const [key, prop] of Object.entries(schema.properties ?? {})) {
          out[key] = depth >= MAX_DEPTH ? null : this.fill(prop, `${path}.${key}`, depth + 1);
        }
        return out;
      }
      case "array": {
        const min = schema.minItems ?? (depth >= MAX_DEPTH ? 0 : 1);
        const max = Math.max(min, Math.min(schema.maxItems ?? 3, 10));
        const wanted = Math.max(min, Math.min(max, this.sentenceList.length || 1));
        const items: unknown[] = [];
        for (let i = 0; i < wanted; i++) {
          const item = schema.items ? this.fill(schema.items, `${path}[${i}]`, depth + 1) : null;
          items.push(item);
        }
        return items;
      }
      case "integer":
      case "number":
        return this.number(schema, path);
      case "boolean": {
        const keyWords = words(path.split(".").pop() ?? "").filter(
          (w) => !["is", "has", "needs", "should"].includes(w),
        );
        return keyWords.some((k) => this.textWords.some((t) => near(t, k)));
      }
      case "string": {
        const value = this.string(schema, path);
        if (value === NOTHING) return nullable ? NOTHING : this.fallbackString(schema, path);
        return this.fitLength(value, schema);
      }
      default:
        return null;
    }
  }

  private pickEnum(all: unknown[], path: string): unknown {
    // A nullable enum (`"type":["string","null"]` with `null` among the values) answers a value, as the
    // `anyOf` form of the same field does; null only when it is the only value.
    const values = all.some((v) => v !== null) ? all.filter((v) => v !== null) : all;
    let best: unknown[] = [];
    let bestScore = -1;
    for (const value of values) {
      const score = typeof value === "string" ? this.overlap(value) : 0;
      if (score > bestScore) {
        bestScore = score;
        best = [value];
      } else if (score === bestScore) best.push(value);
    }
    return best[hash(this.text, path) % best.length] ?? values[0] ?? null;
  }

  private number(schema: JsonSchema, path: string): number {
    const lo = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
    const hi =
      schema.maximum ??
      (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Math.max(lo, 0) + 100);
    const span = Math.max(0, hi - lo);
    const h = hash(this.text, path);
    if (schema.type === "integer") return Math.ceil(lo) + (span >= 1 ? h % (Math.floor(span) + 1) : 0);
    return Math.round((lo + (h / 0xffffffff) * span) * 100) / 100;
  }

  private string(schema: JsonSchema, path: string): string | typeof NOTHING {
    const key = (path.split(".").pop() ?? "").replace(/\[\d+\]$/, "");
    const index = Number(/\[(\d+)\]$/.exec(path)?.[1] ?? 0);
    const kw = words(key);
    const has = (...names: string[]) =>
      names.some((n) => kw.includes(n)) || names.includes(schema.format ?? "");
    const first = (re: RegExp) => this.text.match(re)?.[0] ?? NOTHING;
    if (has("email")) return first(/[\w.+-]+@[\w-]+(\.[\w-]+)+/);
    if (has("phone", "mobile")) return first(/\+?\d[\d\s().-]{6,}\d/);
    if (has("url", "website", "uri", "domain")) return first(/https?:\/\/[^\s"'<>]+|\bwww\.[^\s"'<>]+/);
    if (has("date", "due")) return first(/\b\d{4}-\d{2}-\d{2}\b/);
    if (schema.format === "date-time") return first(/\b\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})\b/);
    const pick = (i: number) => this.sentenceList[i % Math.max(1, this.sentenceList.length)];
    if (has("reply", "response", "answer")) {
      const topic = (pick(0) ?? this.text).replace(/[.!?]+$/, "");
      return `Hello, thank you for getting in touch. We have read your message ("${topic.slice(0, 160)}") and a member of our team is looking into it now. We will follow up shortly with the next steps.`;
    }
    if (has("summary", "description", "reason", "rationale", "note", "notes", "content", "explanation")) {
      return this.sentenceList.slice(0, 2).join(" ") || this.text.slice(0, 300);
    }
    if (has("title", "subject", "name", "company", "industry", "label", "topic")) {
      const best = this.bestSentence(kw) ?? pick(index) ?? this.text;
      return words(best).slice(0, 8).join(" ");
    }
    return this.bestSentence(kw, index) ?? (words(this.text).slice(0, 12).join(" ") || NOTHING);
  }

  /** The sentence sharing most words with the key (ties broken by position), offset by `index` for array items. */
  private bestSentence(keyWords: string[], index = 0): string | undefined {
    if (this.sentenceList.length === 0) return undefined;
    const ranked = this.sentenceList
      .map((s, i) => ({ s, i, score: words(s).filter((w) => keyWords.some((k) => near(w, k))).length }))
      .sort((a, b) => b.score - a.score || a.i - b.i);
    return ranked[index % ranked.length]?.s;
  }

  private fallbackString(schema: JsonSchema, path: string): string {
    return this.fitLength(
      words(this.text).slice(0, 6).join(" ") || `value for ${path.replace(/^\$\.?/, "")}`,
      schema,
    );
  }

  private fitLength(value: string, schema: JsonSchema): string {
    let out = value;
    if (schema.maxLength !== undefined && out.length > schema.maxLength) out = out.slice(0, schema.maxLength);
    if (schema.minLength !== undefined && out.length < schema.minLength)
      out = out.padEnd(schema.minLength, ".");
    return out;
  }
}

/** Fills `schema` from `text`. Deterministic: same inputs, same output. */
export function fillSchema(schema: JsonSchema, text: string): unknown {
  return new Filler(text, schema).fill(schema, "$", 0);
}
