import { defineConfig, devices } from "@playwright/test";
import path from "node:path";

// The suite starts its own Amends on a private port with a fresh SQLite database filled
// with the deterministic demo data set, so it never touches ./data.
const root = path.resolve(__dirname, "..");
const bin = path.join(root, "target", "debug", "amends");
const dataDir = path.join(root, "target", "e2e-data");
const port = 3011;

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
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
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `rm -rf "${dataDir}" && "${bin}" --data-dir "${dataDir}" demo --seed 42 --until 2026-11-23 && exec "${bin}" --data-dir "${dataDir}" serve --bind 127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    env: { LEPTOS_SITE_ROOT: path.join(root, "target", "site"), AMENDS_LOG: "warn" },
    stdout: "ignore",
    stderr: "pipe",
  },
});
