/** `POST /v1/hooks/crm/<use case>`: a CRM workflow webhook (raw JSON or form-data) for one record, one unit. */
import { bodyDigest } from "../../domain/dedup-key.js";
import { isOwnCrmWorkflowTrigger, type LoopGuardConfig } from "../../domain/loop-guard.js";
import { ValidationError } from "../../errors.js";
import { type HttpRequest, parseBody } from "../http.js";
import { crmRecordTriggerSchema, MAX_BODY_BYTES } from "../inputs.js";
import { MAX_PARAMS } from "../payload-bounds.js";
import { type RouteResult, validate } from "./route-kit.js";

/** The longest merge-field value taken as a trigger field (Zoho's longest text field, a textarea, holds 32,000). */
export const MAX_TRIGGER_FIELD_CHARS = 32_000;

/**
 * The merge fields the use case declares (`triggerFields`) out of the webhook's other keys: strings (as Zoho renders
 * merge fields) and numbers only. Anything else (an object, an over-long text) stays a custom parameter, and the
 * use case, missing that field, reads the record.
 */
function splitTriggerFields(custom: Record<string, unknown>, names: ReadonlySet<string>) {
  const fields: Record<string, string | number> = {};
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(custom)) {
    const scalar =
      (typeof value === "string" && value.length <= MAX_TRIGGER_FIELD_CHARS) ||
      (typeof value === "number" && Number.isFinite(value));
    if (names.has(key) && scalar) fields[key] = value as string | number;
    else params[key] = value;
  }
  return { fields, params };
}

/**
 * The units of one use case's workflow route; `defaultModule` is its descriptor's (a rule may omit `module`),
 * `triggerFields` the merge fields it takes as the unit's `input.fields`.
 */
export function crmWorkflowRoute(
  useCase: string,
  defaultModule: string,
  triggerFields: readonly string[] = [],
  onlyModule = false,
) {
  const schema = crmRecordTriggerSchema(defaultModule);
  const fieldNames = new Set(triggerFields);
  return (req: HttpRequest, loopGuard: LoopGuardConfig): RouteResult => {
    const params = validate(schema, parseBody(req, MAX_BODY_BYTES, true), "CRM webhook");
    if (isOwnCrmWorkflowTrigger(params, loopGuard)) return { units: [], ignored: 1 };
    const { id, module, modified_time, ...rest } = params;
    if (onlyModule && module !== defaultModule)
      throw new ValidationError(
        `${useCase} works on ${defaultModule} only`,
        [{ path: "module", message: `must be ${defaultModule}` }],
        { httpStatus: 422 },
      );
    const { fields, params: custom } = splitTriggerFields(rest, fieldNames);
    if (Object.keys(custom).length > MAX_PARAMS)
      throw new ValidationError(
        `more than ${MAX_PARAMS} custom parameters`,
        [{ path: "(body)", message: `at most ${MAX_PARAMS} fields besides id, module and modified_time` }],
        { httpStatus: 422 },
      );
    return {
      units: [
        {
          useCase,
          source: "crm-workflow",
          dedupKey: `crm:${module}:${id}:${modified_time ?? bodyDigest(req.body)}`,
          subject: { service: "crm", module, id },
          input: {
            module,
            id,
            ...(modified_time ? { modifiedTime: modified_time } : {}),
            ...(Object.keys(fields).length > 0 ? { fields } : {}),
            params: custom,
          },
        },
      ],
      ignored: 0,
    };
  };
}
