import * as z from "zod";

/** A comma-separated environment setting as a list of trimmed, non-empty strings. */
export const commaList = () =>
  z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    );
