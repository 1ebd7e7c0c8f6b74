/**
 * The backfill checkpoint as a JSON file (`<state dir>/.backfill/<key>.json`), written atomically (temp file +
 * rename) so an interrupt mid-write never leaves half a checkpoint.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type BackfillCheckpoint, BackfillCheckpointSchema, type CheckpointStore } from "./run-backfill.js";

/** One file per target and request: the same command line resumes the same run. */
export function checkpointPath(
  dir: string,
  parts: { target: string; connection: string; useCase: string; module: string; where: string },
): string {
  const key = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 16);
  return join(dir, ".backfill", `${parts.useCase}-${parts.module}-${key}.json`);
}

export function fileCheckpointStore(path: string): CheckpointStore {
  return {
    async load(): Promise<BackfillCheckpoint | undefined> {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      return BackfillCheckpointSchema.parse(JSON.parse(text));
    },
    async save(checkpoint: BackfillCheckpoint): Promise<void> {
      await mkdir(join(path, ".."), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
      await rename(tmp, path);
    },
  };
}
