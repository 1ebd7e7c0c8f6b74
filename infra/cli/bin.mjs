#!/usr/bin/env node
// Entry of the `zoho-gpt-mediator` bin: runs the TypeScript CLI through tsx's loader.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
