/** `zoho-gpt-mediator doctor`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const doctorCommand: RegisterCommand = (program) => {
  program.command("doctor").description("(not built yet)");
};
