/**
 * `POST /v1/hooks/creator/<use case>`: a Creator form workflow's Deluge `invokeUrl` for one record, one unit. The
 * body is the README's snippet's: `{ "id", "modified_time"?, "owner"?, "app"?, "report"? }` (JSON). The mediator's
 * own writes carry `skip_workflow`, so they never call back: no loop guard is needed here.
 */
import * as z from "zod";
import { bodyDigest } from "../../domain/dedup-key.js";
import { ValidationError } from "../../errors.js";
import { ZohoIdInputSchema } from "../../schemas/work-message.js";
import { type HttpRequest, parseBody } from "../http.js";
import { MAX_BODY_BYTES } from "../inputs.js";
import { type RouteResult, validate } from "./route-kit.js";

const LinkName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,99}$/);

export const CreatorTriggerSchema = z.strictObject({
  /** The record's ID (Creator's are 19 digits: the snippet sends it as text). */
  id: ZohoIdInputSchema,
  /** The record's `Modified_Time` as the app formats it: with the id, the event's identity. */
  modified_time: z.string().min(1).max(64).optional(),
  owner: z.string().min(1).max(100).optional(),
  app: LinkName.optional(),
  report: LinkName.optional(),
});

/** The units of one Creator use case's route: its app and report (a body naming others is refused). */
export function creatorWorkflowRoute(useCase: string, app: string, report: string) {
  return (req: HttpRequest): RouteResult => {
    const body = validate(
      CreatorTriggerSchema,
      parseBody(req, MAX_BODY_BYTES, false),
      "Creator workflow call",
    );
    const wrong = [
      ...(body.app !== undefined && body.app !== app
        ? [{ path: "app", message: `this route serves ${app}` }]
        : []),
      ...(body.report !== undefined && body.report !== report
        ? [{ path: "report", message: `this route serves ${report}` }]
        : []),
    ];
    if (wrong.length > 0)
      throw new ValidationError(`the Creator workflow call names another app or report`, wrong, {
        httpStatus: 422,
      });
    return {
      units: [
        {
          useCase,
          source: "creator-workflow",
          dedupKey: `creator:${app}:${report}:${body.id}:${body.modified_time ?? bodyDigest(req.body)}`,
          subject: null,
          input: { id: body.id, ...(body.modified_time ? { modifiedTime: body.modified_time } : {}) },
        },
      ],
      ignored: 0,
    };
  };
}
