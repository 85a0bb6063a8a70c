import { expect, test } from "@playwright/test";
import { VIEWER } from "../playwright.config";

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
  await page.goto(`${setup}/setup`);
  // Setup is one-time: posting it again is refused.
  await page.getByLabel("Your name").fill("Eve");
  await page.getByLabel("Email").fill("eve@evil.example");
  await page.getByLabel("Password", { exact: true }).fill("three calm rivers");
  await page.getByLabel("Password again").fill("three calm rivers");
  await page.getByRole("button", { name: "Create admin and sign in" }).click();
  await expect(page.getByText("Amends is already set up")).toBeVisible();
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
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/customers");
  await expect(page).toHaveURL(/\/login/);
});
