/**
 * Debian's Chromium, headless, as the status page's test and screenshot script drive it through playwright-core
 * (which never downloads a browser). The flags keep Chromium off the network this machine does not have: without
 * the background-networking ones it keeps dialling Google's hosts.
 */
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
