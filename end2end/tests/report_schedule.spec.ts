import { expect, test } from "@playwright/test";
import { signIn } from "./session";
import { VIEWER } from "../playwright.config";

// The weekly report sent by itself: an admin sets recipients on the Reports page, a bad
// address is named, and "send now" on a server without an SMTP server shows the failed
// delivery with its reason. The schedule stays off here, so the server's own minute check
// sends nothing during the run (the schedule itself is tested against real SMTP and
// webhook sinks in server/tests/report_schedule.rs).

test("an admin saves where the report goes and sees a failed delivery's reason", async ({ page }) => {
  await signIn(page);
  await page.goto("/reports");
  const panel = page.getByRole("region", { name: "Sent by itself" });
  await expect(panel).toContainText("Off: reports go out only when someone sends them.");
  await expect(panel).toContainText("E-mail is not set up on this server");

  await page.locator("#schedule-recipients").fill("lead@example.com, not-an-address");
  await panel.getByRole("button", { name: "Save schedule" }).click();
  await expect(page.locator("#schedule-recipients-error")).toHaveText(
    "“not-an-address” is not an e-mail address like lead@example.com.",
  );

  await page.goto("/reports");
  await page.locator("#schedule-weekday").selectOption({ label: "Monday" });
  await page.locator("#schedule-hour").selectOption({ label: "09:00" });
  await page.locator("#schedule-recipients").fill("Lead@Example.com");
  await page.getByRole("button", { name: "Save schedule" }).click();
  await page.waitForURL((url) => url.searchParams.get("saved") === "1");
  await expect(page.getByRole("region", { name: "Sent by itself" }).getByRole("status")).toHaveText("Saved.");
  await expect(page.locator("#schedule-recipients")).toHaveValue("lead@example.com");

  await page.getByRole("button", { name: "Send last week's report now" }).click();
  await page.waitForURL((url) => url.searchParams.get("sent") === "1");
  const row = page.locator("#deliveries tbody tr").first();
  await expect(row.locator('td[data-label="To"]')).toHaveText("E-mail");
  await expect(row.locator('td[data-label="How"]')).toHaveText("sent now");
  await expect(row.locator('td[data-label="Status"]')).toHaveText("failed after 1 try");
  await expect(row.locator('td[data-label="Error"]')).toHaveText(
    "no SMTP server is set (AMENDS_SMTP_URL and AMENDS_MAIL_FROM)",
  );
});

test("a viewer does not see the schedule", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/reports");
  await expect(page.getByRole("heading", { name: "Weekly reports" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Sent by itself" })).toHaveCount(0);
});
