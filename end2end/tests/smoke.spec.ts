import { expect, test, type Page } from "@playwright/test";
import { ADMIN } from "../playwright.config";

async function signIn(page: Page, who = ADMIN) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

test.beforeEach(async ({ page }, info) => {
  if (!info.title.includes("health")) await signIn(page);
});

// The app marks <body data-hydrated> once the wasm has taken over.
async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test("the dashboard loads, shows headline numbers and hydrates under the CSP", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A Content-Security-Policy violation shows up as a console error.
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Headline numbers" })).toContainText("Cases");
  await hydrated(page);
  expect(errors).toEqual([]);
});

test("the phone menu opens and closes only once hydrated", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/");
  await hydrated(page);
  const toggle = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Incidents" })).toBeVisible();
  // Client-side navigation closes the menu again.
  await nav.getByRole("link", { name: "Incidents" }).click();
  await expect(page.getByRole("heading", { name: "Incidents", level: 1 })).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
});

test("the incident list shows demo rows newest first and pages", async ({ page }) => {
  await page.goto("/incidents");
  await hydrated(page);
  const rows = page.getByRole("table").getByRole("row");
  // Header plus 25 incidents on the first page.
  await expect(rows).toHaveCount(26);
  await expect(page.getByText(/Page 1 of \d+ · \d+ incidents/)).toBeVisible();
  const firstHref = (await rows.nth(1).getByRole("link").getAttribute("href")) ?? "";
  expect(firstHref).toMatch(/^\/incidents\/\d+$/);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Page 2 of/)).toBeVisible();
  await expect(rows).toHaveCount(26);
  await expect(page.locator(`table a[href="${firstHref}"]`)).toHaveCount(0);
  await page.goBack();
  await expect(page.getByText(/Page 1 of/)).toBeVisible();
});

test("an incident page shows its customers, actions and replies", async ({ page }) => {
  await page.goto("/incidents");
  const first = page.getByRole("table").getByRole("row").nth(1).getByRole("link");
  const title = (await first.textContent()) ?? "";
  await first.click();
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Affected customers/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Recovery actions/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Replies/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Timeline" })).toBeVisible();
});

test("an unknown URL shows the 404 page with status 404 and a way home", async ({ page }) => {
  const response = await page.goto("/this/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "We lost this page. We’re sorry." })).toBeVisible();
  await expect(page.getByText("/this/does/not/exist")).toBeVisible();
  await page.getByRole("link", { name: "Redeem: back to the dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
});

test("health check answers JSON", async ({ request }) => {
  const res = await request.get("/healthz");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
});
