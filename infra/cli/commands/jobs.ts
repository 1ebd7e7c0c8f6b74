/** `zoho-gpt-mediator jobs`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const jobsCommand: RegisterCommand = (program) => {
  program.command("jobs").description("(not built yet)");
};
