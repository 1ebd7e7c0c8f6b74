/**
 * What an orchestrator posts for one inbound e-mail (`POST /v1/hooks/flow/email-triage`), shaped so n8n's IMAP and
 * Gmail triggers and Zoho Flow's Zoho Mail trigger map onto it with plain expressions: the sender as an address or
 * `{ name, address }`, recipients as a string or a list, the body as text, HTML or both.
 */
import { createHash } from "node:crypto";
import * as z from "zod";
import { customParams, text } from "../../ingest/input-parts.js";

const address = z.email().max(320);
const recipients = z.union([z.string().max(2_000), z.array(z.string().max(320)).max(100)]);

/** An attachment the e-mail carried, by name only: the mediator reads no bytes of it (the model sees the names). */
export const EmailAttachmentSchema = z.object({
  fileName: z.string().min(1).max(255),
  contentType: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
});

export const EmailTriageInputSchema = z
  .object({
    /** RFC 5322 Message-ID (`<...@...>`): the dedup key when the caller sends no Idempotency-Key. */
    messageId: z.string().trim().min(1).max(998).optional(),
    from: z.union([address, z.object({ name: z.string().max(320).optional(), address })]),
    to: recipients.optional(),
    cc: recipients.optional(),
    subject: z.string().max(1_000).default(""),
    /** Plain-text body. */
    body: text().optional(),
    /** HTML body, converted to text by the mediator when no plain-text body is sent. */
    html: text().optional(),
    receivedAt: z.string().max(64).optional(),
    attachments: z.array(EmailAttachmentSchema).max(50).optional(),
    params: customParams.optional(),
  })
  .refine((e) => (e.body ?? "").trim() !== "" || (e.html ?? "").trim() !== "", {
    message: "an e-mail needs a body (text) or html",
    path: ["body"],
  });

export type EmailTriageInput = z.infer<typeof EmailTriageInputSchema>;

/** The sender as `{ name, address }`, the address lower-cased (CRM's e-mail search is case-insensitive anyway). */
export function senderOf(input: EmailTriageInput): { name: string | undefined; address: string } {
  const f = input.from;
  if (typeof f === "string") return { name: undefined, address: f.toLowerCase() };
  return { name: f.name?.trim() || undefined, address: f.address.toLowerCase() };
}

/**
 * The dedup key part of a Message-ID: angle brackets and whitespace dropped (n8n sends `<id@host>`, other callers
 * `id@host`), hashed so any length or character fits the work message's key.
 */
export function messageIdKey(messageId: string): string {
  const bare = messageId
    .trim()
    .replace(/^<+|>+$/g, "")
    .trim();
  return `msgid:${createHash("sha256").update(bare).digest("hex").slice(0, 40)}`;
}
