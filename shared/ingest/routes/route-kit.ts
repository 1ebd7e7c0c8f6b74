/** What every trigger route shares: the unit it makes, its answer, and how it validates and reads a body. */
import type { z } from "zod";
import type { LoopGuardConfig } from "../../domain/loop-guard.js";
import { ValidationError } from "../../errors.js";
import type { WorkMessage } from "../../schemas/work-message.js";
import type { HttpRequest } from "../http.js";

/** A unit of work before the ingest stamps it with its job id, time and connection. */
export type Unit = Omit<WorkMessage, "v" | "jobId" | "receivedAt" | "connection">;

export interface RouteResult {
  units: Unit[];
  /** Events acknowledged without work (deletes, the mediator's own writes, events no use case takes). */
  ignored: number;
}

/** What a route sees of the request besides the request itself. */
export interface RouteContext {
  loopGuard: LoopGuardConfig;
  /** The body, when the route needed it parsed before authentication (the notification token is in it). */
  parsedBody?: unknown;
  /** The caller's `Idempotency-Key` (flow routes), already checked. */
  idempotencyKey?: string | undefined;
}

/** One served route, built from the catalog (see table.ts). */
export interface IngestRoute {
  /** The kind of sender: decides the credential it must show. */
  source: WorkMessage["source"];
  /** Short name in logs and the per-caller limit key. */
  label: "crm" | "notifications" | "desk" | "flow" | "creator" | "books";
  methods: readonly string[];
  /** 202 for accepted work; 200 where the sender counts nothing else as delivered (Desk, Notification API). */
  status: 200 | 202;
  /** Makes the units of an authenticated request. */
  units(req: HttpRequest, ctx: RouteContext): RouteResult;
}

/** An own property of a parsed body, or undefined: never an inherited one. */
export const own = (o: unknown, key: string): unknown =>
  o !== null && typeof o === "object" && Object.hasOwn(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;

/** Parses with the schema, or a 422 naming the issue paths (never the values). */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
  throw new ValidationError(`invalid ${what}: ${issues.map((i) => i.path).join(", ")}`, issues, {
    httpStatus: 422,
  });
}
