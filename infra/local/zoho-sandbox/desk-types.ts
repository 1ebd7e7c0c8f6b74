/** The records of a Desk org as the sandbox holds and answers them: tickets, threads, comments and webhooks. */

/** A ticket: Desk's standard keys and its custom fields under `cf`. */
export type Ticket = Record<string, unknown> & { id: string; cf: Record<string, unknown> };
export interface Thread {
  id: string;
  ticketId: string;
  channel: string;
  direction: "in" | "out";
  status: "SUCCESS" | "DRAFT";
  content: string;
  contentType: "html" | "plainText";
  fromEmailAddress: string;
  to: string;
  createdTime: string;
  summary: string;
  visibility: "public" | "private";
  isForward: boolean;
}
export interface Comment {
  id: string;
  ticketId: string;
  content: string;
  contentType: "html" | "plainText";
  isPublic: boolean;
  commenterId: string;
  commentedTime: string;
  modifiedTime: string;
}
export interface DeskWebhook {
  id: string;
  name: string;
  url: string;
  isEnabled: boolean;
  ignoreSourceId?: string;
  includeEventsFrom?: string[];
  subscriptions: Record<
    string,
    {
      departmentIds?: string[];
      fields?: string[];
      includePrevState?: boolean;
      direction?: "in" | "out";
    } | null
  >;
  createdTime: string;
}
