import { expect, test } from "@playwright/test";
import { ADMIN, VIEWER } from "../playwright.config";

test("first run: set up the admin, sign out, sign back in", async ({ page }) => {
  const setup = "http://127.0.0.1:3012";
  await page.goto(`${setup}/incidents`);
  await expect(page).toHaveURL(`${setup}/setup`);
  await expect(page.getByRole("heading", { name: "Set up Amends" })).toBeVisible();

  // A weak password is explained next to the field and what was typed is kept.
  await page.getByLabel("Your name").fill("Grace Admin");
  await page.getByLabel("Email").fill("grace@team.example");
  // (Too short is caught by the browser already; this one only the server refuses.)
  await page.getByLabel("Password", { exact: true }).fill("aaaaaaaaaaaa1");
  await page.getByLabel("Password again").fill("aaaaaaaaaaaa1");
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByText(/repeats too few characters/)).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("grace@team.example");

  await page.getByLabel("Password", { exact: true }).fill("three calm rivers");
  await page.getByLabel("Password again").fill("three calm rivers");
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByText("Grace Admin")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You are signed out")).toBeVisible();
  // Setup is one-time: its page now leads to sign-in (a late POST is refused; see the Rust tests).
  await page.goto(`${setup}/setup`);
  await expect(page).toHaveURL(`${setup}/login`);
  await page.getByLabel("Email").fill("grace@team.example");
  await page.getByLabel("Password").fill("three calm rivers");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
});

test("a wrong password gets one generic message; a viewer signs in and out", async ({ page }) => {
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/login\?next=%2Fcustomers/);
  await page.getByLabel("Email").fill(VIEWER.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("That email and password do not match an account. Check both and try again.");
  await expect(page.getByLabel("Email")).toHaveValue(VIEWER.email);

  await page.getByLabel("Password").fill(VIEWER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await expect(page.getByText("Viewer", { exact: true })).toBeVisible();
  // A viewer has no Team link, and the page itself is refused with a 403.
  await expect(page.getByRole("link", { name: "Team" })).toHaveCount(0);
  const denied = await page.goto("/admin/users");
  expect(denied?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This part of Amends is for admins." })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/login/);
});

test("an admin adds a team member, who is then deactivated after a confirmation", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { name: "Team", level: 1 })).toBeVisible();
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");

  // A bad email is explained next to the field and nothing is added.
  await page.getByLabel("Name", { exact: true }).fill("Nia Editor");
  await page.getByLabel("Email").fill("nia@");
  await page.getByLabel("Role", { exact: true }).selectOption("editor");
  await page.getByLabel("First password").fill("seven quiet otters");
  await page.getByLabel("Email").evaluate((el: HTMLInputElement) => (el.type = "text"));
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByText("Enter an email address like ada@example.com.")).toBeVisible();
  await expect(page.getByRole("row", { name: /Nia Editor/ })).toHaveCount(0);

  await page.getByLabel("Email").fill("nia@team.example");
  await page.getByRole("button", { name: "Add member" }).click();
  const row = page.getByRole("row", { name: /Nia Editor/ });
  await expect(row).toBeVisible();
  await expect(row.getByLabel("Role of Nia Editor")).toHaveValue("editor");

  await row.getByRole("button", { name: "Deactivate…" }).click();
  await row.getByRole("button", { name: "Yes, deactivate" }).click();
  await expect(row.getByText("Deactivated")).toBeVisible();

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await expect(page.getByRole("cell", { name: /"active":false/ }).first()).toBeVisible();
});
