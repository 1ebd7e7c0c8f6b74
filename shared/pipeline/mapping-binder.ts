/**
 * The pipeline's side of the field mapping: binds a use case to a connection's live fields on each unit, reports
 * what is skipped or missing once per metadata read, and stops a use case whose required targets are unusable.
 */
import type { MappingCheck } from "../domain/field-mapping.js";
import { type Binding, bindMapping, type UseCaseMapping } from "../domain/output-targets.js";
import type { ZohoField } from "../domain/zoho-field.js";
import { MappingIncompleteError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Metrics } from "../ports/metrics.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { FieldMetadataCache } from "./field-metadata-cache.js";

export interface MappingBinderDeps {
  metadata: FieldMetadataCache;
  logger: AppLogger;
  metrics: Metrics;
  /** How soon a use case waiting on a missing required field re-reads the org's fields. */
  recheckMs: number;
}

/**
 * Binds a use case for a connection on each unit (cheap: the metadata is cached and so is the binding per metadata
 * read), reports once per connection and metadata read what is skipped or missing, and stops a use case whose
 * required targets are not usable (MappingIncompleteError: its events wait).
 */
export class MappingBinder {
  /** Bindings per metadata read (the cached field list), so a refresh re-binds and re-reports. */
  private readonly bindings = new WeakMap<ZohoField[], Map<string, Binding>>();
  /** Connection|use case pairs whose mapping is incomplete: their metadata is re-read every `recheckMs`. */
  private readonly incomplete = new Set<string>();
  /** What was last reported per connection|use case, so the re-checks of a stopped use case do not repeat it. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: MappingBinderDeps) {}

  /** `mapping` is the use case's, with the deployment's field map applied. */
  async bind(
    useCase: { name: string; mapping?: UseCaseMapping | undefined },
    connection: string,
    zoho: ZohoPorts,
  ): Promise<Binding | undefined> {
    const mapping = useCase.mapping;
    if (!mapping) return undefined;
    const key = `${connection}|${useCase.name}`;
    const options = this.incomplete.has(key) ? { maxAgeMs: this.deps.recheckMs } : {};
    const fields = await this.deps.metadata.fields(
      zoho,
      connection,
      mapping.service,
      mapping.module,
      options,
    );
    const perRead = this.bindings.get(fields) ?? new Map<string, Binding>();
    this.bindings.set(fields, perRead);
    let binding = perRead.get(useCase.name);
    if (!binding) {
      binding = bindMapping(useCase.name, mapping, fields);
      perRead.set(useCase.name, binding);
      this.report(binding, connection, key);
    }
    if (!binding.check.runnable) {
      this.incomplete.add(key);
      this.deps.metrics.count("MappingIncomplete", 1, { useCase: useCase.name });
      throw new MappingIncompleteError(useCase.name, connection, blocking(binding.check), {
        retryAfterMs: this.deps.recheckMs,
      });
    }
    this.incomplete.delete(key);
    return binding;
  }

  /**
   * Once per connection, use case and metadata read; while the use case is stopped (metadata re-read every
   * `recheckMs`), only when something changed.
   */
  private report(binding: Binding, connection: string, key: string) {
    const { check } = binding;
    const wasIncomplete = this.incomplete.has(key);
    const skipped = check.targets.filter((t) => !t.required && t.status !== "ok");
    const signature = JSON.stringify([skipped.map((t) => t.key), blocking(check)]);
    if (wasIncomplete && !check.runnable && this.reported.get(key) === signature) return;
    this.reported.set(key, signature);
    if (skipped.length)
      this.deps.logger.warn("optional target fields are not usable in this org; their outputs are skipped", {
        connection,
        useCase: check.useCase,
        skipped: skipped.map((t) => `${t.key} -> ${t.field} (${t.status})`),
      });
    if (!check.runnable)
      this.deps.logger.error(
        "use case stopped for this connection: a required field is not usable; its events wait until it is fixed",
        {
          connection,
          useCase: check.useCase,
          missing: blocking(check),
          fixes: check.targets.filter((t) => t.required && t.status !== "ok").map((t) => t.fix),
        },
      );
    else if (wasIncomplete)
      this.deps.logger.info("use case mapping complete again; waiting events resume", {
        connection,
        useCase: check.useCase,
      });
  }
}

const blocking = (check: MappingCheck) =>
  check.targets
    .filter((t) => t.required && t.status !== "ok")
    .map((t) => `${t.key} -> ${t.field} (${t.status})`);
