#!/usr/bin/env node
// Entry of the `zoho-gpt-mediator` bin. An installed package runs the compiled CLI (dist/cli.mjs, built at prepack
// by infra/cli/build.ts); a checkout without it runs the TypeScript through tsx, a dev dependency there.
import { existsSync } from "node:fs";

const compiled = new URL("../../dist/cli.mjs", import.meta.url);
let main;
if (existsSync(compiled)) ({ main } = await import(compiled.href));
else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("./main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
