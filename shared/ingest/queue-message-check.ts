/**
 * The last look at a unit before the queue: serialised as the queue will send it, it must fit SQS's limit, carry
 * only characters SQS accepts, and name only valid Zoho modules and ids in the fields that become URL paths.
 */
import { ValidationError } from "../errors.js";
import { pathFieldIssues, type WorkMessage } from "../schemas/work-message.js";
import { uncarriableChar } from "./payload-bounds.js";

/**
 * SQS's limit for one message, body and attributes together. Checked on the serialised message before sending,
 * so an oversized one is a 413 naming the problem instead of an SQS refusal.
 */
export const MAX_QUEUE_MESSAGE_BYTES = 262_144;
/** Room kept for the message attributes the queue adapter adds (names, types and values). */
const ATTRIBUTE_ALLOWANCE_BYTES = 2_048;

/** Serialises each message as the queue will and checks it fits and carries only what SQS accepts. */
export function checkSerialised(messages: readonly WorkMessage[]): void {
  for (const m of messages) {
    // The route schemas already checked these; a cheap second look keeps a Zoho path safe whatever a route does.
    const issues = pathFieldIssues(m.subject, m.input);
    if (issues.length > 0)
      throw new ValidationError(
        "the trigger cannot be turned into a valid unit of work",
        issues.map((path) => ({ path, message: "not a valid Zoho module api name or id" })),
        { httpStatus: 422 },
      );
    const body = JSON.stringify(m);
    const bytes = Buffer.byteLength(body, "utf8") + ATTRIBUTE_ALLOWANCE_BYTES;
    if (bytes > MAX_QUEUE_MESSAGE_BYTES)
      throw new ValidationError(
        `the work message would be ${bytes} bytes once serialised, over the queue's ${MAX_QUEUE_MESSAGE_BYTES}-byte limit: send large text as a Zoho attachment reference`,
        [],
        { httpStatus: 413 },
      );
    const bad = uncarriableChar(body) ?? uncarriableChar(m.dedupKey);
    if (bad)
      throw new ValidationError(`the trigger contains ${bad}, a character the queue cannot carry`, [], {
        httpStatus: 422,
      });
  }
}
