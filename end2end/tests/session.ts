// Helpers shared by the browser journeys.

import { expect, type Page } from "@playwright/test";
import { ADMIN } from "../playwright.config";

// A plain form post, so it works with and without JS.
export async function signIn(page: Page, who = ADMIN) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
}

// The app marks <body data-hydrated> once the wasm has taken over. The debug build's wasm is
// large; on a busy 2-core machine its first start has taken over 10 s, so wait up to 20.
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
}
