import { expect, test, type APIRequestContext } from "@playwright/test";
import { hydrated, signIn } from "./session";

// Holdout experiments: the demo's three experiments as the Experiments page shows them,
// and an editor giving a credit with a 20 % holdout on a demo incident — the count shown
// before it is given, the experiment it starts, and both arms.

async function experiments(request: APIRequestContext) {
  const res = await request.get("/api/v1/experiments");
  expect(res.status()).toBe(200);
  return res.json();
}

const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} points`;

test("the demo's experiments show both kinds of verdict and the pooled credit", async ({ page }) => {
  await signIn(page);
  const api = await experiments(page.request);
  await page.goto("/experiments");
  const rows = page.locator("#experiments tbody tr");
  await expect(rows).toHaveCount(3);
  // Newest first: the credit after a minor bug (no effect built in), proactive contact
  // after a slowdown, the credit after the checkout outage (a real effect).
  await expect(rows.locator("th a")).toHaveText([
    "#3 Report totals off by a cent",
    "#2 Slow dashboards during the database move",
    "#1 Checkout down for EU customers",
  ]);
  for (const [i, e] of api.experiments.entries()) {
    const row = rows.nth(i);
    await expect(row.locator('td[data-label="Treated"]')).toHaveText(String(e.treated.customers));
    await expect(row.locator('td[data-label="Held out"]')).toHaveText(String(e.held_out.customers));
    await expect(row.locator('td[data-label="90-day retention effect"]')).toContainText(points(e.s90_effect.estimate));
    await expect(row.locator('td[data-label="Verdict"]')).toHaveText(e.verdict);
  }
  await expect(rows.nth(2).locator('td[data-label="Verdict"]')).toContainText("Fewer customers churned with credit");
  await expect(rows.nth(0).locator('td[data-label="Verdict"]')).toContainText("Not enough customers yet to tell a 5-point difference");
  await expect(rows.nth(0).locator('td[data-label="Verdict"]')).toContainText("No clear difference in reply sentiment");

  const pooled = page.locator("#pooled tbody tr");
  await expect(pooled.locator("th")).toHaveText(["Credit", "Proactive contact"]);
  await expect(pooled.first().locator('td[data-label="Experiments"]')).toHaveText("2");
  await expect(pooled.first().locator('td[data-label="Verdict"]')).toHaveText(api.pooled[0].verdict);
});

test("an editor gives a credit with a 20 % holdout and sees both arms", async ({ page }) => {
  await signIn(page);
  const before = await experiments(page.request);
  const checkout = before.experiments.find((e: any) => e.id === 1);
  // Those given nothing yet on this incident: the first experiment's held-out customers.
  const n = checkout.held_out.customers;
  const held = Math.round(n * 0.2);

  await page.goto(`/incidents/${checkout.incident_id}`);
  await hydrated(page);
  const give = page.locator("details.give");
  if ((await give.getAttribute("open")) === null) await give.locator("summary").click();
  await page.locator("#give-target").selectOption("uncontacted");
  await page.locator("#give-kind").selectOption({ label: "Credit" });
  await page.locator("#give-channel").selectOption({ label: "In-app" });
  await page.locator("#give-value").fill("10");
  await page.locator("#give-cost").fill("10");
  await page.locator("#give-currency").fill("USD");
  await page.locator("#give-holdout").selectOption("20");
  await page.locator("#give-control").selectOption({ label: "Apology only" });
  await page.getByRole("button", { name: "Give to every selected customer" }).click();

  // Nothing is given yet: the page says how many get it and how many are held out.
  await page.waitForURL((url) => url.pathname === `/incidents/${checkout.incident_id}/holdout`);
  await expect(page.locator("#holdout-summary")).toHaveText(
    `${n - held} will get credit, ${held} are held out and get apology only.`,
  );
  const unchanged = await experiments(page.request);
  expect(unchanged.experiments).toHaveLength(before.experiments.length);

  await page.getByRole("button", { name: `Give to ${n - held} and hold out ${held}` }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/experiments/"));
  const id = Number(new URL(page.url()).pathname.split("/").pop());
  expect(id).toBe(4);
  await expect(page.getByRole("status")).toHaveText(
    `Given to ${n - held} customers; ${held} held out. Their replies and renewals fill this page in as they arrive.`,
  );
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Credit on “Checkout down for EU customers”");
  const arms = page.locator("#arms tbody tr");
  await expect(arms.locator("th")).toHaveText(["Given credit", "Held out"]);
  await expect(arms.nth(0).locator('td[data-label="Customers"]')).toHaveText(String(n - held));
  await expect(arms.nth(1).locator('td[data-label="Customers"]')).toHaveText(String(held));
  // Just given: nobody has been followed for 90 days.
  await expect(page.locator("#verdict")).toContainText("Too early to judge retention: the experiment has run 0 of the 90 days");

  // The held-out customers get the apology only.
  const after = await experiments(page.request);
  const mine = after.experiments.find((e: any) => e.id === id);
  expect([mine.treated.customers, mine.held_out.customers, mine.control, mine.share_pct]).toEqual([n - held, held, "apology", 20]);
});
