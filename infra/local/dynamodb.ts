/**
 * DynamoDB Local (AWS's own emulator) for idempotency, audit and cost records.
 *
 * Chosen over dynalite because dynalite lacks UpdateTimeToLive and TransactWriteItems, both of which the
 * mediator's tables use. The jar ships inside the npm package `amplify-dynamodb-simulator` (no download at
 * install); it needs a Java runtime (17 on these machines) and starts in about 1.5 s.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { sleep } from "./http.js";

export interface DynamoDbLocal {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Finds a free loopback port (the jar cannot be told to pick one itself). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function jarDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("amplify-dynamodb-simulator/package.json")), "emulator");
}

/**
 * Starts DynamoDB Local on loopback, in memory, or with `dbPath` in a file there that survives a restart.
 * `port: 0` picks a free one.
 */
export async function startDynamoDbLocal(
  options: { port?: number; readyTimeoutMs?: number; dbPath?: string } = {},
): Promise<DynamoDbLocal> {
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(
      "DynamoDB Local needs a Java runtime (java 17+) on PATH; install a JRE (e.g. apt-get install openjdk-17-jre-headless).",
    );
  }
  const port = options.port || (await freePort());
  const dir = jarDir();
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  // -sharedDb: one database whatever the access key and region, so every local client sees the same tables.
  const child: ChildProcess = spawn(
    "java",
    [
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      "DynamoDBLocal.jar",
      // The jar runs with its own folder as cwd: the database path must be absolute.
      ...(options.dbPath ? ["-dbPath", resolve(options.dbPath)] : ["-inMemory"]),
      "-sharedDb",
      "-port",
      String(port),
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  // A SIGKILL of this process runs no exit handler: a watchdog that reads our end of a pipe kills the JVM when the
  // pipe closes, so a crashed `npm start` never leaves DynamoDB Local holding its port and its database file.
  const watchdog = spawn("sh", ["-c", `while read -r _; do :; done; kill -9 ${child.pid} 2>/dev/null`], {
    stdio: ["pipe", "ignore", "ignore"],
  });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      watchdog.kill("SIGKILL");
      throw new Error(`DynamoDB Local exited early (code ${child.exitCode}): ${output.slice(-500)}`);
    }
    try {
      // Any HTTP answer means the server is up; an unsigned request gets a 400 MissingAuthenticationToken.
      await fetch(url, { method: "POST", signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        watchdog.kill("SIGKILL");
        child.kill("SIGKILL");
        throw new Error(
          `DynamoDB Local did not start within ${options.readyTimeoutMs ?? 30_000} ms: ${output.slice(-500)}`,
        );
      }
      await sleep(100);
    }
  }
  return {
    url,
    port,
    close: async () => {
      process.off("exit", killOnExit);
      // The watchdog goes first, so it never signals a pid that is no longer the JVM's.
      watchdog.kill("SIGKILL");
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(3000).then(() => child.kill("SIGKILL"))]);
    },
  };
}
