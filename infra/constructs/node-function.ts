import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Architecture, LoggingFormat, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { FUNCTION_MEMORY_MB } from "./function-memory.js";

/** Repository root, so entries are given relative to it (`functions/health/handler.ts`). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface NodeFunctionProps extends Omit<NodejsFunctionProps, "entry" | "runtime" | "architecture"> {
  /** Handler file relative to the repository root, e.g. `functions/health/handler.ts`. */
  entry: string;
  /** Log retention. @default RetentionDays.ONE_MONTH */
  logRetention?: RetentionDays;
  /** Value of `POWERTOOLS_SERVICE_NAME`. @default the construct id */
  serviceName?: string;
}

/**
 * The one place the Lambda defaults live: nodejs22.x on arm64, minified ESM bundles with source maps built by the
 * local esbuild (no Docker), JSON logs in an explicit log group with retention.
 * The AWS SDK v3 is left to the runtime (it ships with nodejs22.x), which keeps bundles small.
 *
 * No X-Ray tracing (issue 13's decision): active tracing without the Powertools Tracer records only the Lambda
 * service's own segments (no SDK, Zoho or model calls), and the Tracer costs the ingest bundle 124 KB (217 KB to
 * 340 KB minified, +57%, aws-xray-sdk-core), paid on every cold start of the function that must answer Zoho in
 * milliseconds. An event is followed by its correlation id instead: on every log line of the ingest, the worker (each
 * Zoho call with its status and duration included) and the tools, one Logs Insights query across the log groups.
 */
export class NodeFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const { entry, logRetention, serviceName, environment, bundling, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB.default,
      timeout: Duration.seconds(30),
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      ...rest,
      entry: `${ROOT}${entry}`,
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: serviceName ?? id,
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        mainFields: ["module", "main"],
        externalModules: ["@aws-sdk/*"],
        // ESM bundles of CommonJS dependencies still call require(); give them one.
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        ...bundling,
      },
    });
  }
}
