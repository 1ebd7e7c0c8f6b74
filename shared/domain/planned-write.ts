/**
 * One write a use case wants, in the mediator's terms; the pipeline guards it against the org's live metadata and
 * the use case's allow-list before anything reaches Zoho, stores it in the job's plan, and carries it out through
 * the Zoho ports. `proposed` values of null mean "no change". Adding a kind of write: add it here, to the stored
 * plan's schema (`shared/schemas/stored-plan.ts`), and give it a writer in `shared/pipeline/write/`.
 */
import type { BooksEntity } from "./zoho-products.js";

/** A record id, or the id a `crm-create` earlier in the same plan (its index) created. */
export type RecordRef = string | { fromStep: number };

export type PlannedWrite =
  | {
      /**
       * A new CRM record (`"trigger": []`), guarded like an update and with every mandatory field of the module
       * present. `existsBy`: a resumed plan first searches for a record with this value (the create may have
       * reached Zoho without being recorded) and takes it instead of creating a second one.
       */
      kind: "crm-create";
      module: string;
      proposed: Record<string, unknown>;
      allowList: readonly string[];
      existsBy?: { field: string; value: string } | undefined;
    }
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
      id: RecordRef;
      title: string;
      content: string;
    }
  | {
      /** A task related to a CRM record (`"trigger": []`). */
      kind: "crm-task";
      module: string;
      id: RecordRef;
      subject: string;
      /** YYYY-MM-DD. */
      dueDate?: string | undefined;
      description?: string | undefined;
      /** The task's owner (e.g. the related record's owner); the integration user when absent. */
      ownerId?: string | undefined;
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
      /** A new Desk ticket (the adapter picks the org's default department). */
      kind: "desk-ticket-create";
      subject: string;
      description: string;
      email: string;
      contactName?: string | undefined;
    }
  | {
      kind: "desk-reply";
      ticketId: string;
      content: string;
      to: string | null;
      /** The ticket's department, whose reply address is preferred. */
      departmentId?: string | null | undefined;
      /** Resolved by the pipeline before anything is written (configuration or the org's reply address). */
      fromEmailAddress?: string | undefined;
    }
  | {
      /**
       * An update of one Creator record by ID through its report, `skip_workflow: ["form_workflow", "schedules"]`,
       * guarded against the form's field metadata (`app/form`).
       */
      kind: "creator-update";
      app: string;
      form: string;
      report: string;
      id: string;
      proposed: Record<string, unknown>;
      allowList: readonly string[];
      droppable?: readonly string[] | undefined;
    }
  | {
      /**
       * The audit trail of a Creator write: a record added to the app's audit form (`skip_workflow: ["all"]`), its
       * text the values the plan's update wrote to the `quote` fields (as guarded), then the audit text. `fields`
       * names the audit form's fields.
       */
      kind: "creator-audit";
      app: string;
      form: string;
      /** The audit form's report, searched by a resumed plan for the record an earlier attempt added. */
      report: string;
      fields: { recordId: string; useCase: string; text: string };
      recordId: string;
      quote: readonly string[];
    }
  | {
      /** Custom fields of one Books entity, through its custom-fields endpoint (Books runs its rules on it). */
      kind: "books-update";
      entity: BooksEntity;
      id: string;
      proposed: Record<string, unknown>;
      allowList: readonly string[];
      droppable?: readonly string[] | undefined;
    }
  | {
      /**
       * The audit trail of a Books write: a comment on the entity, the values the plan's update wrote to the `quote`
       * fields (as guarded), then the audit text.
       */
      kind: "books-comment";
      entity: BooksEntity;
      id: string;
      quote: readonly string[];
    };

export type WriteKind = PlannedWrite["kind"];
export type WriteOf<K extends WriteKind> = Extract<PlannedWrite, { kind: K }>;
