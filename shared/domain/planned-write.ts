/**
 * One write a use case wants, in the mediator's terms; the pipeline guards it against the org's live metadata and
 * the use case's allow-list before anything reaches Zoho, stores it in the job's plan, and carries it out through
 * the Zoho ports. `proposed` values of null mean "no change". Adding a kind of write: add it here, to the stored
 * plan's schema (`shared/schemas/stored-plan.ts`), and give it a writer in `shared/pipeline/write/`.
 */
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
      /** A note on a CRM record (`"trigger": []`). */
      kind: "crm-note";
      module: string;
      id: string;
      title: string;
      content: string;
    }
  | {
      /** A task related to a CRM record (`"trigger": []`). */
      kind: "crm-task";
      module: string;
      id: string;
      subject: string;
      dueDate?: string | undefined;
      description?: string | undefined;
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

export type WriteKind = PlannedWrite["kind"];
export type WriteOf<K extends WriteKind> = Extract<PlannedWrite, { kind: K }>;
