/**
 * The CLI's frame as a person meets it: `--help` on the program and on every command prints usage on stdout and
 * exits 0; an unknown flag, a flag missing its value or an unknown command exits 2 with the message on stderr and no
 * stack trace; `send --help` is help, not a connection failure. (Rewritten for issue 13: it pinned the hand-written
 * usage text that commander's per-command help replaces.)
 */

import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../../infra/cli/commands/index.js";
import { main } from "../../../infra/cli/main.js";
import { buildProgram } from "../../../infra/cli/program.js";
import { loadStage } from "../../../infra/config/deploy-config.js";
import { DEFAULT_STAGE } from "../../../shared/config/stage.js";

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    { LOCAL_STATE_DIR: "/nonexistent-cli-help" },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      interactive: false,
    },
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
};

/** Every command (and subcommand) this package owns, as a person types it. */
const OWN = [
  ["auth"],
  ["doctor"],
  ["fields", "create"],
  ["send"],
  ["hooks"],
  ["set-model-key"],
  ["keys", "create"],
  ["keys", "list"],
  ["keys", "revoke"],
  ["keys", "calls"],
  ["proposals", "list"],
  ["proposals", "approve"],
  ["proposals", "reject"],
];

describe("CLI help, usage errors and the default stage", () => {
  it("the program's help lists every command on stdout; no argument prints it too", async () => {
    for (const argv of [["--help"], ["help"], []]) {
      const { code, out, err } = await run(argv);
      expect(code).toBe(0);
      expect(err).toBe("");
      for (const name of ["auth", "doctor", "fields", "send", "hooks", "set-model-key", "keys", "proposals"])
        expect(out).toMatch(new RegExp(`^  ${name} `, "m"));
    }
  });

  it.each(OWN.map((argv) => [argv.join(" "), argv]))(
    "%s --help: usage on stdout, exit 0",
    async (_, argv) => {
      const { code, out, err } = await run([...(argv as string[]), "--help"]);
      expect(code).toBe(0);
      expect(err).toBe("");
      expect(out).toContain(`Usage: zoho-gpt-mediator ${(argv as string[]).join(" ")}`);
      // The common target options (CONTRACTS-13 §4) are on every command that talks to a mediator.
      expect(out).toMatch(/^\s+--stage <name> /m);
      expect(out).toMatch(/^\s+--region <region> /m);
    },
  );

  it("every command and subcommand of the program, whoever added it, has a working --help", async () => {
    const ctx = {
      env: {},
      io: { out() {}, err() {}, stdin: process.stdin, interactive: false },
      deps: {},
      exit() {},
    };
    const paths: string[][] = [];
    const walk = (command: Command, path: string[]) => {
      for (const sub of command.commands) {
        if (sub.name() === "help") continue;
        paths.push([...path, sub.name()]);
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(buildProgram(ctx, COMMANDS), []);
    // Every top-level command the issue names is there.
    for (const name of [
      "hooks",
      "doctor",
      "status",
      "dlq",
      "jobs",
      "usage",
      "set-model-key",
      "backfill",
      "send",
    ])
      expect(paths.map((p) => p.join(" "))).toContain(name);
    for (const path of paths) {
      const { code, out, err } = await run([...path, "--help"]);
      expect({ path, code, err }).toEqual({ path, code: 0, err: "" });
      expect(out).toContain(`Usage: zoho-gpt-mediator ${path.join(" ")}`);
      expect(out).not.toContain("not built yet");
    }
  });

  it("a --stage that is no stage name is a usage error (exit 2), not a failed AWS call", async () => {
    for (const argv of [["status"], ["dlq", "list"], ["usage"], ["hooks"]]) {
      const { code, err } = await run([...argv, "--stage", "Prod_1"]);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toContain('--stage "Prod_1" is not a stage name');
    }
  });

  it("backfill refuses a use case that does not run on the module's records before reading or sending anything", async () => {
    for (const [argv, message] of [
      [["--use-case", "ticket-triage", "--module", "Leads"], "ticket-triage does not run on CRM records"],
      [
        ["--use-case", "lead-enrichment", "--module", "Contacts"],
        "runs on CRM records of Leads, not Contacts",
      ],
      [["--use-case", "lead-enrichmnt"], "no use case named lead-enrichmnt"],
    ] as const) {
      const { code, err } = await run(["backfill", ...argv, "--yes", "--stage", "dev"]);
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(err).toContain(message);
    }
  });

  it("send --help is help, not a connection failure", async () => {
    const { code, out, err } = await run(["send", "--help"]);
    expect(code).toBe(0);
    expect(out).toContain("lead|ticket|email|transcript|document");
    expect(out).not.toContain("npm start running");
    expect(err).toBe("");
  });

  it("auth and doctor name their flags; the stage default is the one CDK uses", async () => {
    expect(DEFAULT_STAGE).toBe("dev");
    expect(loadStage({}, {}).name).toBe(DEFAULT_STAGE);
    const auth = (await run(["auth", "--help"])).out;
    for (const flag of [
      "--connection",
      "--secret-name",
      "--secrets-endpoint",
      "--client-id",
      "--client-secret",
      "--code",
      "--refresh-token",
      "--dc",
      "--location",
      "--accounts-server",
      "--desk-url",
      "--desk-org-id",
      "--desk-source-id",
    ])
      expect(auth).toMatch(new RegExp(`^\\s+${flag} `, "m"));
    expect(auth).toMatch(new RegExp(`else\\s+stage\\s+${DEFAULT_STAGE}\\)`));
    const doctor = (await run(["doctor", "--help"])).out;
    for (const flag of [
      "--desk-from-address",
      "--notifications",
      "--webhook-secret-name",
      "--model-secret-name",
      "--json",
    ])
      expect(doctor).toMatch(new RegExp(`^\\s+${flag} `, "m"));
    expect((await run(["fields", "create", "--help"])).out).toMatch(/^\s+--dry-run /m);
    expect((await run(["send", "--help"])).out).toMatch(/^\s+--sandbox <url> /m);
  });

  it.each([
    [["auth", "--stage"], "option '--stage <name>' argument missing"],
    [["auth", "--bogus"], "unknown option '--bogus'"],
    [["doctor", "--notifications"], "argument missing"],
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["fields", "list"], "unknown command 'list'"],
    [["send", "fax"], 'unknown kind "fax"'],
    [["send"], "missing required argument 'kind'"],
    [["keys", "revoke"], "missing required argument 'id'"],
    [["keys", "create", "--scopes", "crm.read"], "keys create: missing --name"],
    [
      ["auth", "--client-id", "x", "--code", "c", "--refresh-token", "r"],
      "give --code or --refresh-token, not both",
    ],
  ])("%j exits 2 with the message on stderr and no stack trace", async (argv, message) => {
    const { code, out, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(message);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("fields without a subcommand is a usage error that shows the command's help on stderr", async () => {
    const { code, out, err } = await run(["fields"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("create [options] <use-case>");
  });
});
