/**
 * The structured log lines the product writes while a test runs, parsed: the same stdout/stderr lines test/setup.ts
 * captures for the secret scan (Powertools writes through `process.stdout.write`, looked up at each call).
 */
export type LogLine = Record<string, unknown> & { level: string; message: string };

export function captureLogLines(): { lines: LogLine[]; stop(): void } {
  const lines: LogLine[] = [];
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const previous = stream.write;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
      for (const line of text.split("\n"))
        if (line.startsWith('{"level"')) lines.push(JSON.parse(line) as LogLine);
      return (previous as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = previous;
    });
  }
  return {
    lines,
    stop: () => {
      for (const r of restore) r();
    },
  };
}
