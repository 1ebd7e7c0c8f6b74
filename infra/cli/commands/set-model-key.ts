/** `zoho-gpt-mediator set-model-key`: placeholder registration, replaced by the command's implementation (CONTRACTS-13). */
import type { RegisterCommand } from "../program.js";

export const setModelKeyCommand: RegisterCommand = (program) => {
  program.command("set-model-key").description("(not built yet)");
};
