/** Binary answers of Zoho (attachment downloads), read with a size cap. */
import { ValidationError } from "../../errors.js";

/** A successful binary answer. */
export interface ZohoBinary {
  bytes: Uint8Array;
  contentType: string;
  /** From `Content-Disposition`, when Zoho named the file. */
  fileName: string | undefined;
}

/** Reads a binary answer, stopping (and refusing) as soon as it exceeds `maxBytes`, so a huge file is never held. */
export async function readBinary(res: Response, maxBytes: number): Promise<ZohoBinary> {
  const tooLarge = () =>
    new ValidationError(
      `the attachment is larger than ${maxBytes} bytes`,
      [{ path: "attachment", message: "too large" }],
      {
        httpStatus: 413,
      },
    );
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(chunk.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  const disposition = res.headers.get("content-disposition") ?? "";
  const name = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
  let fileName: string | undefined;
  try {
    fileName = name ? decodeURIComponent(name) : undefined;
  } catch {
    fileName = name;
  }
  return { bytes, contentType: res.headers.get("content-type") ?? "application/octet-stream", fileName };
}
