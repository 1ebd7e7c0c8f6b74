/** `zoho-gpt-mediator proposals`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const proposalsCommand: RegisterCommand = (program) => {
  program.command("proposals").description("(not built yet)");
};
