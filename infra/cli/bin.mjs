#!/usr/bin/env node
// Entry of the `zoho-gpt-mediator` bin. In a checkout (the TypeScript sources beside this file) it runs them through
// tsx, a dev dependency there, so a `dist/` left by an earlier `npm pack` can never run stale code. An installed
// package ships no sources, only the compiled CLI (dist/cli.mjs, built at prepack by infra/cli/build.ts).
import { existsSync } from "node:fs";

const sources = new URL("./main.ts", import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(sources.href));
} else ({ main } = await import(new URL("../../dist/cli.mjs", import.meta.url).href));
process.exitCode = await main(process.argv.slice(2));
