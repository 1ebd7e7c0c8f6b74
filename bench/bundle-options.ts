/**
 * The esbuild options the CDK's NodejsFunction bundles the Lambdas with (infra/constructs/node-function.ts): the
 * benches that measure a bundle's size or cold start build it the same way.
 */
export const LAMBDA_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  mainFields: ["module", "main"],
} as const;
