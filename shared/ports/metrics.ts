/** Metrics port: counts that alarms watch (ConnectionBroken, RefreshFailed, ...). */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
}
