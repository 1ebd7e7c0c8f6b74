import * as z from "zod";

/**
 * A configuration's problems as a person reads them: `z.prettifyError`, one line per problem (`✖ message → at
 * path`), never a ZodError dump. The deploy config (`cdk synth`) and `npm start`'s settings print them so.
 */
export function problemLines(error: z.ZodError): string[] {
  return z
    .prettifyError(error)
    .split("\n")
    .reduce<string[]>((lines, line) => {
      if (line.trimStart().startsWith("→") && lines.length > 0)
        lines[lines.length - 1] = `${lines[lines.length - 1]} ${line.trim()}`;
      else if (line.trim()) lines.push(line.trim());
      return lines;
    }, []);
}
