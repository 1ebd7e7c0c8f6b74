/** The call's note on its record: plain text a person reads (summary, objections, risks, commitments, items). */
import type { CallAnswer } from "./answer.js";

const list = (title: string, items: readonly string[]) =>
  items.length ? `\n\n${title}:\n${items.map((i) => `- ${i}`).join("\n")}` : "";

/** The note: plain text a person reads on the record. */
export function noteContent(answer: CallAnswer, declined: readonly string[]): string {
  const theirs = answer.action_items.filter((a) => a.side === "theirs");
  const ours = answer.action_items.filter((a) => a.side === "ours");
  const item = (a: CallAnswer["action_items"][number]) =>
    `${a.description}${a.owner ? ` (${a.owner})` : ""}${a.due_date ? `, due ${a.due_date}` : ""}`;
  return [
    `Summary: ${answer.summary}`,
    `\nSentiment: ${answer.sentiment}`,
    answer.next_step ? `\nNext step: ${answer.next_step}` : "",
    list("Objections", answer.objections),
    list("Risks", answer.risks),
    list(
      "Commitments",
      answer.commitments.map((c) => `${c.side === "ours" ? "Ours" : "Theirs"}: ${c.text}`),
    ),
    list("Our action items (tasks)", ours.map(item)),
    list("Their action items", theirs.map(item)),
    list("Deal suggestions not applied", declined),
  ].join("");
}
