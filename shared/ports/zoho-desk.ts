/**
 * Zoho Desk as the use cases and the pipeline see it: a ticket, its threads, updating its custom fields, a private
 * comment, a draft or a sent reply, field metadata and reply addresses. The adapter (`shared/adapters/zoho/desk.ts`)
 * owns every URL, wire shape (`cf`, `draftReply`, `organizationFields`) and error translation.
 */
import type { ZohoField } from "../domain/zoho-field.js";

export interface DeskTicket {
  /** Checked by the adapter: 1-19 digits (it goes into later URLs and the write cap's key). */
  id: string;
  subject?: string;
  description?: string;
  status?: string;
  priority?: string;
  /** The contact's e-mail address, when the ticket has one. */
  email?: string;
  departmentId?: string;
  /** Custom fields by api name. */
  cf?: Record<string, unknown>;
  /** Everything else Desk answered. */
  [key: string]: unknown;
}

export interface DeskThreadSummary {
  /** Checked by the adapter: 1-19 digits. */
  id: string;
  direction: string;
  status?: string;
}

export interface DeskThread {
  direction: string;
  /** As Desk stores it (may be HTML). */
  content: string;
}

export interface DeskReply {
  content: string;
  to?: string;
  fromEmailAddress?: string;
}

export interface DeskReplyAddress {
  address: string;
  isActive: boolean;
  /** The org's default reply address (preferred when the ticket's department has none). */
  isDefault: boolean;
  departmentId?: string;
}

/** A new ticket. Desk requires a department: the adapter takes the org's default (else first) when none is given. */
export interface NewDeskTicket {
  subject: string;
  description: string;
  /** The contact's e-mail address (Desk finds or creates the contact). */
  email: string;
  contactName?: string;
  departmentId?: string;
}

export interface ZohoDesk {
  /** Creates a ticket. */
  createTicket(ticket: NewDeskTicket): Promise<{ id: string }>;
  /** A ticket, or null when it does not exist. */
  getTicket(ticketId: string): Promise<DeskTicket | null>;
  /** The ticket's threads, oldest first. */
  listThreads(ticketId: string): Promise<DeskThreadSummary[]>;
  getThread(ticketId: string, threadId: string): Promise<DeskThread | null>;
  /** Updates the ticket's custom fields (Desk's `cf`). Desk answers the whole update or refuses it. */
  updateTicketFields(ticketId: string, fields: Record<string, unknown>): Promise<void>;
  /** A private comment (never shown to the customer), plain text. */
  addPrivateComment(ticketId: string, content: string): Promise<void>;
  /** Saves a draft reply an agent reviews. */
  draftReply(ticketId: string, reply: DeskReply): Promise<void>;
  /** Sends a reply (only when the deployment opts in). */
  sendReply(ticketId: string, reply: DeskReply): Promise<void>;
  /** The module's live field metadata (`tickets`, ...). */
  fields(module: string): Promise<ZohoField[]>;
  /** The org's reply addresses, the department's when given. */
  replyAddresses(departmentId?: string): Promise<DeskReplyAddress[]>;
}
