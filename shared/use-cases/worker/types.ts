/**
 * The contract of a worker use case. Adding one is one module implementing this plus one line in registry.ts:
 * an input schema (the message's `input`), how to load context from Zoho, a versioned prompt, a zod output schema
 * (sent as an OpenAI strict structured output), and a write plan. The pipeline does the rest: budgets, the model
 * call and its repair attempt, the write guard, the writes, the audit trail.
 */
import type * as z from "zod";
import type { ZohoHttpClient } from "../../adapters/zoho/zoho-http-client.js";
import type { Binding, UseCaseMapping } from "../../domain/output-targets.js";
import type { ZohoField } from "../../domain/write-guard.js";
import type { UseCase, WorkMessage } from "../../schemas/work-message.js";

export interface UseCaseEnv {
  zoho: ZohoHttpClient;
  connection: string;
  now: Date;
  /** Live CRM field metadata (cached), e.g. to offer the model exactly Zoho's picklist values. */
  crmFields(module: string): Promise<ZohoField[]>;
  /**
   * The use case's targets bound to this org's live fields (when it declares a `mapping`): the pipeline binds them
   * before `load` and stops the use case while a required target is not usable.
   */
  binding?: Binding;
}

/** One write the use case wants; guarded before it runs. `proposed` values of null mean "no change". */
export type PlannedWrite =
  | {
      kind: "crm-update";
      module: string;
      id: string;
      proposed: Record<string, unknown>;
      allowList: readonly string[];
      /** Fields whose rejected value may be left out while the rest is written (see UseCaseMapping). */
      droppable?: readonly string[] | undefined;
    }
  | {
      kind: "desk-ticket-update";
      ticketId: string;
      proposed: Record<string, unknown>;
      allowList: readonly string[];
      droppable?: readonly string[] | undefined;
    }
  | { kind: "desk-comment"; ticketId: string; content: string }
  | {
      kind: "desk-reply";
      ticketId: string;
      content: string;
      to: string | null;
      /** The ticket's department, whose reply address is preferred. */
      departmentId?: string | null | undefined;
      /** Resolved by the pipeline before anything is written (configuration or the org's reply address). */
      fromEmailAddress?: string | undefined;
    };

export interface WorkerUseCase<I = unknown, L = unknown, O extends z.ZodType = z.ZodType> {
  name: UseCase;
  /** Bumped whenever the prompt or schema changes; recorded in every audit entry. */
  promptVersion: string;
  inputSchema: z.ZodType<I>;
  load(env: UseCaseEnv, input: I, message: WorkMessage): Promise<L>;
  prompt(loaded: L): { system: string; user: string };
  outputSchema: O;
  /**
   * The outputs the use case writes, declared by intent and bound to the org's live fields by the pipeline (and
   * checked by `doctor`). A use case with a mapping builds its `schemaFor` from `env.binding`.
   */
  mapping?: UseCaseMapping;
  /**
   * The schema for this unit when it depends on the loaded context (e.g. an enum of the org's live picklist
   * values, so structured output can only name a valid one). Must accept a subset of `outputSchema`'s values.
   */
  schemaFor?(loaded: L): z.ZodType;
  plan(output: z.infer<O>, loaded: L, env: UseCaseEnv): PlannedWrite[];
  /** The record an audit note or a quarantine note goes on. */
  auditTarget(
    loaded: L,
  ): { service: "crm"; module: string; id: string } | { service: "desk"; ticketId: string };
}

/** A use case of any input, context and output type, as the registry holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds use cases whose input, context and output types differ
export type AnyWorkerUseCase = WorkerUseCase<any, any, any>;
