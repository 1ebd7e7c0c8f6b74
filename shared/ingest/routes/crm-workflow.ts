/** `POST /v1/hooks/crm/<use case>`: a CRM workflow webhook (raw JSON or form-data) for one record, one unit. */
import { bodyDigest } from "../../domain/dedup-key.js";
import { isOwnCrmWorkflowTrigger, type LoopGuardConfig } from "../../domain/loop-guard.js";
import { ValidationError } from "../../errors.js";
import { type HttpRequest, parseBody } from "../http.js";
import { crmRecordTriggerSchema, MAX_BODY_BYTES } from "../inputs.js";
import { MAX_PARAMS } from "../payload-bounds.js";
import { type RouteResult, validate } from "./route-kit.js";

/** The units of one use case's workflow route; `defaultModule` is its descriptor's (a rule may omit `module`). */
export function crmWorkflowRoute(useCase: string, defaultModule: string) {
  const schema = crmRecordTriggerSchema(defaultModule);
  return (req: HttpRequest, loopGuard: LoopGuardConfig): RouteResult => {
    const params = validate(schema, parseBody(req, MAX_BODY_BYTES, true), "CRM webhook");
    if (isOwnCrmWorkflowTrigger(params, loopGuard)) return { units: [], ignored: 1 };
    const { id, module, modified_time, ...custom } = params;
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
          input: { module, id, ...(modified_time ? { modifiedTime: modified_time } : {}), params: custom },
        },
      ],
      ignored: 0,
    };
  };
}
