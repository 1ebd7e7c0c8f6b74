/**
 * The model's output shape for a bound mapping, kept small because it is sent with every call: the bound targets'
 * schemas (boundShape), except that an optional picklist whose values run over ENUM_MAX_CHARS is asked for as
 * text. A long enum would cost every call of the use case its tokens (Zoho's standard Industry list is about 80
 * tokens); as text, the write guard still checks the value against the org's live picklist, maps a near spelling
 * and refuses anything else, and a refused optional value is dropped from the write. A required picklist always
 * keeps its enum: a value the guard refuses would stop the whole write.
 */
import * as z from "zod";
import { type Binding, boundShape } from "../domain/output-targets.js";

/**
 * Characters of picklist values (the usable ones together) up to which an optional picklist is sent as an enum.
 * Zoho's standard Lead Industry list (16 values, about 330 characters) fits, so it stays an enum.
 */
export const ENUM_MAX_CHARS = 400;

/** The output shape of `binding`: one key per bound model target, long optional picklists as text. */
export function outputShape(binding: Binding): Record<string, z.ZodType> {
  const shape = boundShape(binding);
  for (const { target, field } of binding.bound) {
    if (!(target.key in shape) || target.required || field.type !== "picklist") continue;
    const values = (field.picklist ?? []).filter((v) => v !== "-None-");
    if (values.join("").length <= ENUM_MAX_CHARS) continue;
    const text = z.string().describe(`one of the org's ${field.name} values`);
    shape[target.key] = target.nullable ? text.nullable() : text;
  }
  return shape;
}

/**
 * `build` once per binding: a binding lives as long as its metadata read (the binder caches it), so the units of an
 * org share one schema object, and what is derived from it per request (the adapter's JSON schema) is built once.
 */
export function perBinding<T extends object>(build: (binding: Binding) => T): (binding: Binding) => T {
  const built = new WeakMap<Binding, T>();
  return (binding) => {
    let value = built.get(binding);
    if (!value) {
      value = build(binding);
      built.set(binding, value);
    }
    return value;
  };
}
