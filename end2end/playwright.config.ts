import { defineConfig, devices } from "@playwright/test";
import path from "node:path";

// The suite starts its own Amends on a private port with a fresh SQLite database filled
// with the deterministic demo data set, so it never touches ./data.
const root = path.resolve(__dirname, "..");
const bin = path.join(root, "target", "debug", "amends");
const dataDir = path.join(root, "target", "e2e-data");
const port = 3011;
const setupPort = 3012;
const setupDataDir = path.join(root, "target", "e2e-setup-data");
// The demo team's sign-ins; test-only passwords.
export const ADMIN = { email: "admin@team.example", password: "correct horse battery" };
export const VIEWER = { email: "viewer@team.example", password: "quiet meadow lantern" };
const env = { LEPTOS_SITE_ROOT: path.join(root, "target", "site"), AMENDS_LOG: "warn" };

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
  webServer: [
    {
      // Demo data plus an admin and a viewer.
      command: [
        `rm -rf "${dataDir}"`,
        `"${bin}" --data-dir "${dataDir}" demo --seed 42 --until 2026-11-23`,
        `echo "${ADMIN.password}" | "${bin}" --data-dir "${dataDir}" user add --email ${ADMIN.email} --role admin --name "Ada Admin"`,
        `echo "${VIEWER.password}" | "${bin}" --data-dir "${dataDir}" user add --email ${VIEWER.email} --role viewer --name "Vic Viewer"`,
        `exec "${bin}" --data-dir "${dataDir}" serve --bind 127.0.0.1:${port}`,
      ].join(" && "),
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      // An empty Amends, for the first-run setup journey.
      command: `rm -rf "${setupDataDir}" && exec "${bin}" --data-dir "${setupDataDir}" serve --bind 127.0.0.1:${setupPort}`,
      url: `http://127.0.0.1:${setupPort}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      env,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
