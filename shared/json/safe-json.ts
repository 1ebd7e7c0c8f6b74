/**
 * Lossless JSON parsing for Zoho responses: integers too long for a double (Zoho's 19-digit record ids, should one
 * ever arrive unquoted) become strings instead of silently losing digits. Node 20 has no JSON.parse source-text
 * access, so the text is rewritten first: every bare integer literal outside a string that a double cannot hold
 * exactly (beyond Number.MAX_SAFE_INTEGER) is quoted.
 */
export function quoteLongIntegers(text: string): string {
  let out = "";
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const ch = text[i] as string;
    if (inString) {
      out += ch;
      if (ch === "\\") {
        out += text[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (ch === '"') inString = false;
      i += 1;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      i += 1;
      continue;
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE+-]/.test(text[j] as string)) j += 1;
      const literal = text.slice(i, j);
      out += /^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal)) ? `"${literal}"` : literal;
      i = j;
      continue;
    }
    out += ch;
    i += 1;
  }
  return out;
}

/** `JSON.parse` that keeps long integers exact (as strings). */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}
