/**
 * A RefreshCoordinator that runs the refresh use case in this process, one request at a time. It is what the
 * refresher Lambda's reserved concurrency of 1 gives in AWS: requests never overlap, and each one re-reads the
 * secret, so a burst of callers holding the same stale token causes one refresh. Used by the local stack, where
 * every "Lambda" shares one Node process, and by tests.
 */
import type { RefreshCoordinator, RefreshOutcome, RefreshRequest } from "../../ports/refresh-coordinator.js";

export class InProcessRefreshCoordinator implements RefreshCoordinator {
  private tail: Promise<unknown> = Promise.resolve();
  requests = 0;

  constructor(private readonly refresh: (request: RefreshRequest) => Promise<RefreshOutcome>) {}

  requestRefresh(secretName: string, staleToken: string | null): Promise<RefreshOutcome> {
    this.requests += 1;
    const run = this.tail.then(() => this.refresh({ secretName, staleToken }));
    this.tail = run.catch(() => undefined);
    return run;
  }
}
