/** `zoho-gpt-mediator fields`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const fieldsCommand: RegisterCommand = (program) => {
  program.command("fields").description("(not built yet)");
};
