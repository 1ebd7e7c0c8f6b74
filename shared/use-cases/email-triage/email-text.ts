/**
 * The text of an inbound e-mail as the model should read it: HTML converted to plain text (html-to-text, a
 * maintained converter that handles tables, lists and entities), then the quoted thread and the signature cut off.
 * Only the sender's new words are worth tokens; a quoted thread repeats what CRM already holds and would let an
 * earlier message's text (anyone's) speak again as if it were this sender's.
 *
 * Trimming is conservative: a marker counts only at the start of a line, and when cutting would leave nothing
 * (a reply written below the quote, a message that is all signature) the untrimmed text is kept.
 */
import type { convert as Convert } from "html-to-text";

/**
 * html-to-text, loaded on first use (`loadEmailText`, awaited by the use case's `load`): the ingest bundles the
 * catalog's descriptors but never converts an e-mail, so it does not ship the converter (see WORKER_ONLY_MODULES).
 */
let convert: typeof Convert | undefined;

export async function loadEmailText(): Promise<void> {
  convert ??= (await import("html-to-text")).convert;
}

/** HTML to plain text: links keep their address once, images are dropped, no line wrapping. */
export function htmlToPlainText(html: string): string {
  if (!convert) throw new Error("html-to-text is not loaded: await loadEmailText() first");
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { hideLinkHrefIfSameAsText: true, ignoreHref: false } },
      { selector: "img", format: "skip" },
      { selector: "style", format: "skip" },
      { selector: "script", format: "skip" },
      { selector: "head", format: "skip" },
      // Gmail, Outlook and Apple Mail wrap the quoted thread in these; dropping them is exact where present.
      { selector: "blockquote", format: "skip" },
      { selector: "div.gmail_quote", format: "skip" },
      { selector: "div#appendonsend", format: "skip" },
      { selector: "div.gmail_signature", format: "skip" },
    ],
  });
}

/**
 * Lines that open a quoted thread, in the languages mail clients write them. "On <date>, <who> wrote:" may wrap
 * onto two lines, so a line that starts one and the next that ends it both count (see `quoteStart`).
 */
const REPLY_HEADER: RegExp[] = [
  /^On\b.{0,200}\bwrote:\s*$/i, // English (Gmail, Apple Mail)
  /^Am\b.{0,200}\bschrieb\b.{0,100}:\s*$/i, // German
  /^Le\b.{0,200}\ba écrit\s*:\s*$/i, // French
  /^El\b.{0,200}\bescribió:\s*$/i, // Spanish
  /^Il giorno\b.{0,200}\bha scritto:\s*$/i, // Italian
  /^Em\b.{0,200}\bescreveu:\s*$/i, // Portuguese
  /^Op\b.{0,200}\bschreef\b.{0,100}:\s*$/i, // Dutch
  /^\d{4}年\d{1,2}月\d{1,2}日.{0,200}<[^>\s]+@[^>\s]+>.{0,20}[:：]\s*$/, // Japanese Gmail: date, name <address>:
  /^在\s?\d{4}年\d{1,2}月\d{1,2}日.{0,200}写道[:：]\s*$/, // Chinese
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Forwarded message)\s*-{2,}\s*$/i,
  /^_{10,}\s*$/, // Outlook's rule above the quoted header
  /^(?:From|Von|De|Da|Van|差出人|发件人)\s*[:：]\s*.+$/, // Outlook's header block, when followed by a date/subject line
];

/** Signature delimiters: the standard "-- " and the sign-offs phones add. */
const SIGNATURE: RegExp[] = [
  /^--\s?$/,
  /^Sent from my (?:iPhone|iPad|Android|mobile|Galaxy)\b.*$/i,
  /^Von meinem (?:iPhone|iPad|Smartphone)\b.*$/i,
  /^Envoyé de mon (?:iPhone|iPad)\b.*$/i,
  /^Enviado desde mi (?:iPhone|iPad)\b.*$/i,
  /^Get Outlook for (?:iOS|Android)\b.*$/i,
];

const OUTLOOK_FIELDS =
  /^(?:Sent|Gesendet|Envoyé|Enviado|Inviato|Verzonden|Date|Datum|送信日時|发送时间|To|An|À|Para|A|Aan|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|件名|主题)\s*[:：]/i;

/** The index of the first line of the quoted thread, or -1. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line.startsWith(">")) {
      // A block of ">" lines (plain-text quoting); a single ">" line inside prose is not a thread.
      if ((lines[i + 1] ?? "").trim().startsWith(">") || i === lines.length - 1) return i;
      continue;
    }
    const joined = `${line} ${(lines[i + 1] ?? "").trim()}`;
    for (const [k, re] of REPLY_HEADER.entries()) {
      const isFromLine = k === REPLY_HEADER.length - 1;
      if (isFromLine) {
        // "From: x" alone is ordinary prose; Outlook follows it with Sent/To/Subject lines.
        if (re.test(line) && OUTLOOK_FIELDS.test((lines[i + 1] ?? "").trim())) return i;
      } else if (re.test(line) || (/^(?:On|Am|Le|El|Em|Op)\b/i.test(line) && re.test(joined))) return i;
    }
  }
  return -1;
}

function signatureStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (SIGNATURE.some((re) => re.test(line.trimEnd()))) return i;
  }
  return -1;
}

/** Collapses runs of blank lines and trailing spaces. */
const tidy = (s: string) =>
  s
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
    // A rule left above a cut thread (Outlook's <hr>, "____") says nothing on its own.
    .replace(/\n+[-_=]{5,}$/, "")
    .trim();

/** The sender's new text: quoted thread and signature removed (kept whole when trimming would empty it). */
export function trimReply(text: string): string {
  let lines = tidy(text).split("\n");
  const q = quoteStart(lines);
  if (q > 0) lines = lines.slice(0, q);
  const s = signatureStart(lines);
  if (s > 0) lines = lines.slice(0, s);
  const trimmed = tidy(lines.join("\n"));
  return trimmed.length > 0 ? trimmed : tidy(text);
}

/**
 * The text the model reads: the plain-text body when the orchestrator sent one, else the HTML converted; trimmed.
 * Never cut: an e-mail too long for the use case's token budget is refused with the reason instead.
 */
export function emailText(body: { text?: string | undefined; html?: string | undefined }): string {
  const raw = body.text?.trim() ? body.text : body.html ? htmlToPlainText(body.html) : "";
  return trimReply(raw);
}
