/** Every CLI command, in the order --help lists them. */
import type { RegisterCommand } from "../program.js";
import { authCommand } from "./auth.js";
import { backfillCommand } from "./backfill.js";
import { dlqCommand } from "./dlq.js";
import { doctorCommand } from "./doctor.js";
import { fieldsCommand } from "./fields.js";
import { hooksCommand } from "./hooks.js";
import { jobsCommand } from "./jobs.js";
import { keysCommand } from "./keys.js";
import { proposalsCommand } from "./proposals.js";
import { sendCommand } from "./send.js";
import { setModelKeyCommand } from "./set-model-key.js";
import { statusCommand } from "./status.js";
import { usageCommand } from "./usage.js";

export const COMMANDS: readonly RegisterCommand[] = [
  hooksCommand,
  authCommand,
  doctorCommand,
  statusCommand,
  sendCommand,
  dlqCommand,
  jobsCommand,
  usageCommand,
  backfillCommand,
  setModelKeyCommand,
  fieldsCommand,
  keysCommand,
  proposalsCommand,
];
