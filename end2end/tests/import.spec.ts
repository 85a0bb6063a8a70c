import { expect, test, type Locator, type Page } from "@playwright/test";
import { hydrated, signIn } from "./session";
import { VIEWER } from "../playwright.config";

// The Import page end to end: a CSV of replies is checked (a dry run that writes nothing),
// a refused row is named by line, column and reason, the fixed file is checked and imported
// with an upload progress bar, and the replies then show on their incident and in the
// dashboard's figures; the same file sent again changes nothing. The incident and the
// customers come from the demo data, read through the pages, so no demo id is hard-coded.

/** A text no other run or test uses. */
function unique(what: string): string {
  return `${what} ${Date.now()}-${Math.floor(Math.random() * 1000)}`;
}

/** "1,234" → 1234. */
function count(text: string | null): number {
  const t = (text ?? "").trim();
  expect(t, `a count, got "${t}"`).toMatch(/^\d{1,3}(,\d{3})*$/);
  return Number(t.replace(/,/g, ""));
}

/** One CSV line (RFC 4180 quoting where needed). */
function csvLine(cells: (string | number)[]): string {
  return cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(",");
}

/** An RFC 3339 instant `minutes` ago, in whole seconds. */
function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The newest incident on the list's first page that hit at least three customers and has
 *  room on its page for three more replies (the incident page shows its first 50). */
async function pickIncident(page: Page): Promise<{ id: number; replies: number }> {
  await page.goto("/incidents");
  const table = page.getByRole("table", { name: "Incidents" });
  await expect(table.locator("tbody tr").first()).toBeVisible();
  for (const row of await table.locator("tbody tr").all()) {
    const affected = count(await row.locator('td[data-label="Affected"]').textContent());
    const replies = count(await row.locator('td[data-label="Replies"]').textContent());
    if (affected >= 3 && replies <= 40) {
      const href = (await row.getByRole("link").first().getAttribute("href")) ?? "";
      expect(href).toMatch(/^\/incidents\/\d+$/);
      return { id: Number(href.split("/").pop()), replies };
    }
  }
  throw new Error("no incident on the first page hit three customers");
}

/** The count in the incident page's "Replies N" heading. */
async function repliesOnIncident(page: Page, id: number): Promise<number> {
  await page.goto(`/incidents/${id}`);
  const heading = page.getByRole("heading", { name: /^Replies [\d,]+$/, level: 2 });
  await expect(heading).toBeVisible();
  return count((await heading.locator(".count").textContent()) ?? "");
}

/** The "· N replies" under the dashboard's "Mean reply sentiment" card (default period). */
async function dashboardReplies(page: Page): Promise<number> {
  await page.goto("/");
  const cards = page.getByRole("region", { name: "Headline numbers" });
  const card = cards.locator(".card").filter({ has: page.locator(".card-label", { hasText: /^Mean reply sentiment$/ }) });
  await expect(card).toHaveCount(1);
  const sub = (await card.locator(".card-sub").textContent()) ?? "";
  const m = /·\s*([\d,]+) replies$/.exec(sub.trim());
  expect(m, `"${sub}"`).not.toBeNull();
  return count(m![1]);
}

/** Choose the file (from memory) and press "Check file". */
async function check(page: Page, kind: string, name: string, csv: string) {
  await page.getByLabel("What the file holds").selectOption(kind);
  await page.getByLabel("CSV file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await page.getByRole("button", { name: "Check file" }).click();
}

/** The count shown for `label` ("Rows", "New", …) in a report. */
function shown(report: Locator, label: string, n: number) {
  return expect(report.getByRole("row", { name: `${label} ${n}`, exact: true })).toBeVisible();
}

test("replies from a CSV: a refused row is named, the fixed file imports, and a second import adds nothing", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page);

  // An incident of the demo data, who it hit, and the figures before.
  const { id, replies: listed } = await pickIncident(page);
  const before = await repliesOnIncident(page, id);
  expect(before).toBe(listed);
  const refs = (await page.locator('table td[data-label="Ref"] code').allTextContents()).map((r) => r.trim());
  expect(refs.length).toBeGreaterThanOrEqual(3);
  const [a, b, c] = refs;
  const dashboardBefore = await dashboardReplies(page);

  const stamp = unique("run");
  const bodies = [
    `Imported: the outage cost us a morning of orders. (${stamp})`,
    `Imported: thanks for the quick credit, much appreciated. (${stamp})`,
    `Imported: still waiting for an explanation. (${stamp})`,
  ];
  const header = csvLine(["customer", "received_at", "body", "incident", "channel", "csat"]);
  const rows = (csat: number) => [
    csvLine([a, minutesAgo(30), bodies[0], id, "email", 2]),
    csvLine([b, minutesAgo(20), bodies[1], `#${id}`, "chat", csat]),
    csvLine([c, minutesAgo(10), bodies[2], id, "phone", ""]),
  ];
  const bad = [header, ...rows(9)].join("\n") + "\n";
  const good = [header, ...rows(5)].join("\n") + "\n";

  // Step 1 → 2 with a bad value: the row is named and nothing can be imported.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Import", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/import$/);
  await hydrated(page);
  // The help follows the chosen kind.
  const help = page.getByRole("complementary", { name: "Columns" });
  await expect(help).toContainText("external_ref");
  await page.getByLabel("What the file holds").selectOption("replies");
  await expect(help).toContainText("csat");
  await expect(help).not.toContainText("external_ref");
  await check(page, "replies", "replies-bad.csv", bad);
  const report = page.getByRole("region", { name: "Check result" });
  await expect(report).toBeVisible();
  await shown(report, "Rows", 3);
  await shown(report, "New", 2);
  await shown(report, "Updated", 0);
  await shown(report, "Unchanged", 0);
  await shown(report, "Refused", 1);
  await expect(report).toContainText("Fix these rows in your file and check it again — nothing was written.");
  const refused = report.getByRole("table", { name: "Refused rows" });
  await expect(refused.locator("tbody tr")).toHaveCount(1);
  await expect(refused.locator("tbody tr").getByRole("cell")).toHaveText([
    "3",
    "csat",
    "CSAT is a whole number from 1 to 5, or empty.",
  ]);
  await expect(page.getByRole("button", { name: /^Import \d+ rows?$/ })).toHaveCount(0);

  // A new file goes back to step 1; the fixed one passes the check.
  await page.getByLabel("CSV file").setInputFiles({ name: "replies.csv", mimeType: "text/csv", buffer: Buffer.from(good, "utf8") });
  await expect(report).toHaveCount(0);
  await page.getByRole("button", { name: "Check file" }).click();
  await shown(report, "Rows", 3);
  await shown(report, "New", 3);
  await shown(report, "Refused", 0);
  await expect(report.getByRole("table", { name: "Refused rows" })).toHaveCount(0);
  // The checks wrote nothing (seen from another tab, so this one keeps its report).
  const other = await page.context().newPage();
  expect(await repliesOnIncident(other, id)).toBe(before);
  await other.close();

  // Step 3: the same file for real, with its progress bar.
  await page.getByRole("button", { name: "Import 3 rows" }).click();
  const done = page.getByRole("region", { name: "Imported" });
  await expect(done.getByRole("status")).toHaveText("Imported: 3 new, 0 updated, 0 unchanged.");
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toHaveCount(0);
  await expect(done.getByRole("link", { name: "See the replies" })).toHaveAttribute("href", "/replies");

  // The replies are on their incident, and in the dashboard's figure.
  expect(await repliesOnIncident(page, id)).toBe(before + 3);
  const section = page.getByRole("region", { name: /^Replies/ });
  for (const body of bodies) await expect(section.locator("li.reply blockquote", { hasText: body })).toHaveText(body);
  expect(await dashboardReplies(page)).toBe(dashboardBefore + 3);

  // The same file again: all three are already there.
  await page.goto("/import");
  await hydrated(page);
  await check(page, "replies", "replies.csv", good);
  await shown(report, "Rows", 3);
  await shown(report, "New", 0);
  await shown(report, "Unchanged", 3);
  await shown(report, "Refused", 0);
  await expect(report).toContainText("Everything in this file is already in Amends: nothing to import.");
  await expect(page.getByRole("button", { name: /^Import \d+ rows?$/ })).toHaveCount(0);
  expect(await repliesOnIncident(page, id)).toBe(before + 3);
  expect(errors).toEqual([]);
});

test("the progress bar shows while a file is checked", async ({ page }) => {
  await signIn(page);
  await page.goto("/import");
  await hydrated(page);
  // Hold the answer back until the bar has been seen.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/api/v1/imports/**", async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel("What the file holds").selectOption("affected");
  await page.getByLabel("CSV file").setInputFiles({
    name: "affected.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("incident,customer\n", "utf8"),
  });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Check file" })).toBeDisabled();
  release();
  const report = page.getByRole("region", { name: "Check result" });
  await shown(report, "Rows", 0);
  await expect(report).toContainText("The file has no rows under its header: nothing to import.");
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toHaveCount(0);
});

test("a file that cannot be read is refused with the server's reason", async ({ page }) => {
  await signIn(page);
  await page.goto("/import");
  await hydrated(page);
  // A replies file sent as customers: its header names columns customers do not have.
  await check(page, "customers", "replies.csv", "customer,received_at,body\nC-1,2026-11-20 14:05,hello\n");
  await expect(page.getByRole("alert")).toHaveText(
    "The header names a column “customer” that customers files do not have. Their columns are: external_ref, name, email, plan, monthly_revenue, currency, signed_up_at, churned_at.",
  );
  await expect(page.getByRole("region", { name: "Check result" })).toHaveCount(0);
  // Choosing another kind clears it.
  await page.getByLabel("What the file holds").selectOption("replies");
  await expect(page.getByRole("alert")).toHaveCount(0);
});

test("a viewer has no Import link and the page is closed to them", async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Import", exact: true })).toHaveCount(0);
  const denied = await page.goto("/import");
  expect(denied?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This part of Amends is for editors and admins." })).toBeVisible();
  await expect(page.getByLabel("CSV file")).toHaveCount(0);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the page points to the command line and hides the upload form", async ({ page }) => {
    await signIn(page);
    const res = await page.goto("/import");
    expect(res?.status()).toBe(200);
    await expect(page.getByRole("heading", { name: "Import", level: 1 })).toBeVisible();
    // (Playwright's text and role queries skip <noscript>, so this one is found by CSS.)
    const note = page.locator("noscript .notice");
    await expect(note).toBeVisible();
    await expect(note).toHaveText("Importing in the browser needs JavaScript; on the command line use amends import KIND FILE.csv.");
    await expect(page.getByLabel("CSV file")).toBeHidden();
    await expect(page.getByRole("button", { name: "Check file" })).toBeHidden();
    // The help is there all the same, for building the file.
    await expect(page.getByRole("complementary", { name: "Columns" })).toContainText("external_ref");
  });
});
