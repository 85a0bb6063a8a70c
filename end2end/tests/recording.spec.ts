import { expect, test, type Browser, type Page } from "@playwright/test";
import { parseCsv } from "./csv";
import { hydrated, signIn } from "./session";
import { readFile } from "node:fs/promises";
import { ADMIN, VIEWER } from "../playwright.config";

// The recording workflow end to end: opening an incident, marking who it hit, giving them
// something, the apology mail merge, replies with their sentiment, status — with and
// without JavaScript. Every journey opens its own incident, so none depends on demo ids
// or on the order of the other spec files.


/** A `datetime-local` value (UTC, as the app reads it) some hours ago. */
function hoursAgo(h: number): string {
  return new Date(Date.now() - h * 3_600_000).toISOString().slice(0, 16);
}

/** A title no other run or test uses. */
function unique(what: string): string {
  return `${what} ${Date.now()}-${Math.floor(Math.random() * 1000)}`;
}

/** Fill the "New incident" form (ids prefixed `new-`) on the current page. */
async function fillNewIncident(
  page: Page,
  f: { title: string; kind?: string; severity?: string; started?: string; detected?: string; description?: string },
) {
  await page.locator("#new-title").fill(f.title);
  await page.locator("#new-kind").selectOption(f.kind ?? "outage");
  await page.locator("#new-severity").selectOption(f.severity ?? "sev2");
  await page.locator("#new-started").fill(f.started ?? hoursAgo(2));
  if (f.detected !== undefined) await page.locator("#new-detected").fill(f.detected);
  if (f.description !== undefined) await page.locator("#new-description").fill(f.description);
}

/** Open an incident through the form; returns its id. Works with and without JS. */
async function newIncident(page: Page, title: string, js = true): Promise<number> {
  await page.goto("/incidents/new");
  if (js) await hydrated(page);
  await fillNewIncident(page, { title, severity: "sev2", description: "Opened by the end-to-end suite." });
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  return Number(new URL(page.url()).pathname.split("/").pop());
}

/** The first `n` customer refs on the customers page (demo data). */
async function customerRefs(page: Page, n: number): Promise<string[]> {
  await page.goto("/customers");
  const cells = page.locator('table td[data-label="Ref"] code');
  await expect(cells.first()).toBeVisible();
  const refs = await cells.allTextContents();
  expect(refs.length).toBeGreaterThanOrEqual(n);
  return refs.slice(0, n).map((r) => r.trim());
}

/** The "… · N incidents" total under the incident list. */
async function incidentTotal(page: Page): Promise<number> {
  await page.goto("/incidents");
  const status = page.locator(".pager-status");
  await expect(status).toContainText("incidents");
  const m = /·\s*([\d,]+) incidents/.exec((await status.textContent()) ?? "");
  expect(m).not.toBeNull();
  return Number(m![1].replace(/,/g, ""));
}


/** An admin in a browser context of its own (always with JS), e.g. to prepare what a
 *  viewer looks at. */
async function asAdmin<T>(browser: Browser, work: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ javaScriptEnabled: true });
  try {
    const page = await context.newPage();
    await signIn(page, ADMIN);
    return await work(page);
  } finally {
    await context.close();
  }
}

test("the day's work: open, mark affected, give credit, mail merge, replies, resolve", async ({ page }) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page);
  const [a, b, c] = await customerRefs(page, 3);
  const stranger = `NEW-${Date.now()}`;
  const title = unique("Checkout outage");

  // Open the incident from the list's "New incident" link.
  await page.goto("/incidents");
  await hydrated(page);
  await page.getByRole("link", { name: "New incident" }).click();
  await expect(page.getByRole("heading", { name: "New incident", level: 1 })).toBeVisible();
  await fillNewIncident(page, { title, kind: "outage", severity: "sev1", started: hoursAgo(3) });
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page).toHaveURL(/\/incidents\/\d+$/);
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  const incidentUrl = new URL(page.url()).pathname;

  // Mark who it hit: three known, one new, one malformed, one repeated.
  await page.getByRole("link", { name: "Add customers" }).click();
  await expect(page.getByRole("heading", { name: "Add affected customers" })).toBeVisible();
  await hydrated(page);
  await page.locator("#affected-list").fill([a, b, c, stranger, "not a ref", a].join("\n"));
  await page.getByRole("button", { name: "Preview" }).click();
  const tally = page.locator("ul.tally");
  await expect(tally).toContainText("3 matched");
  await expect(tally).toContainText("1 new");
  await expect(tally).toContainText("1 duplicates");
  await expect(tally).toContainText("1 malformed");
  await page.getByRole("button", { name: "Confirm: mark 4 customers affected" }).click();
  await expect(page).toHaveURL(new RegExp(`${incidentUrl}\\?added=4`));
  await expect(page.getByRole("status").filter({ hasText: "Marked 4 customers affected." })).toBeVisible();
  const affected = page.getByRole("region", { name: /Affected customers/ });
  await expect(affected.locator("tbody tr")).toHaveCount(4);
  const shown = await affected.locator('td[data-label="Ref"] code').allTextContents();
  expect(shown.map((r) => r.trim()).sort()).toEqual([a, b, c, stranger].sort());

  // A $25 credit for every one of them, by email.
  await hydrated(page);
  const give = page.locator("details.give");
  if ((await give.getAttribute("open")) === null) await give.locator("summary").click();
  await page.locator("#give-target").selectOption("all");
  await expect(page.locator("#give-target")).toContainText("Every affected customer (4 affected)");
  await page.locator("#give-kind").selectOption({ label: "Credit" });
  await page.locator("#give-channel").selectOption({ label: "Email" });
  await page.locator("#give-value").fill("25");
  await page.locator("#give-cost").fill("25");
  await page.locator("#give-currency").fill("USD");
  await page.locator("#give-note").fill("Sorry, {first_name}: a $25 credit is on your account.");
  await page.getByRole("button", { name: "Give to every selected customer" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Recovery action given to 4 customers." })).toBeVisible();
  const actions = page.getByRole("region", { name: /Recovery actions/ });
  await expect(actions.locator("tbody tr")).toHaveCount(4);
  await expect(actions.locator('tbody td[data-label="Action"]', { hasText: "Credit" })).toHaveCount(4);
  await expect(actions.locator('tbody td[data-label="Value"]', { hasText: "$25.00" })).toHaveCount(4);

  // The apology mail merge, with the default note: one row per customer, credit and title filled in.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download mail-merge CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^incident-\d+-apology\.csv$/);
  const csv = parseCsv(await readFile((await download.path())!, "utf8")).filter((r) => r.join("") !== "");
  expect(csv[0]).toEqual(["name", "email", "note"]);
  expect(csv).toHaveLength(5);
  for (const [, , note] of csv.slice(1)) {
    expect(note).toContain("$25.00");
    expect(note).toContain(title);
  }

  // Two replies, scored as they are saved.
  const angry = "This is the third outage this month. I am furious and cancelling.";
  const thankful = "Thank you so much for the credit, that was really kind!";
  const replies = page.getByRole("region", { name: /Replies/ });
  for (const [body, ref] of [
    [angry, a],
    [thankful, b],
  ]) {
    await hydrated(page);
    await page.locator("#reply-customer").fill(ref);
    await page.locator("#reply-body").fill(body);
    await page.getByRole("button", { name: "Save reply" }).click();
    await expect(replies.locator("li.reply", { hasText: body })).toBeVisible();
    // The form is empty again for the next reply.
    await expect(page.locator("#reply-body")).toHaveValue("");
  }
  const angryReply = replies.locator("li.reply", { hasText: angry });
  const thankfulReply = replies.locator("li.reply", { hasText: thankful });
  await expect(angryReply.locator(".badge.sentiment")).toContainText("Negative");
  await expect(thankfulReply.locator(".badge.sentiment")).toContainText("Positive");
  await expect(angryReply.locator(".badge.sentiment")).not.toContainText("✎");

  // A person corrects the angry one's score; the automatic one is kept alongside.
  await angryReply.getByText("Correct sentiment").click();
  await angryReply.getByLabel("Score (−1 to +1)").fill("-0.9");
  await angryReply.getByLabel("Why").fill("explicit churn threat");
  await angryReply.getByRole("button", { name: "Save correction" }).click();
  await expect(angryReply.locator(".badge.sentiment")).toContainText("✎");
  await expect(angryReply.locator(".badge.sentiment")).toContainText("−0.90");
  await expect(angryReply).toContainText("corrected: explicit churn threat");

  // Resolve it.
  await page.getByRole("radio", { name: "Resolved" }).check();
  await page.getByRole("button", { name: "Change status" }).click();
  await expect(page.locator(".incident-head .badge.status")).toHaveText("Resolved");
  await expect(page.getByRole("region", { name: "Timeline" })).toContainText("Status → Resolved");

  // And all of it is still there after a reload.
  await page.goto(incidentUrl);
  await expect(page.locator(".incident-head .badge.status")).toHaveText("Resolved");
  await expect(page.getByRole("region", { name: /Replies/ }).locator("li.reply")).toHaveCount(2);
  expect(errors).toEqual([]);
});

test("a refused new incident keeps what was typed and creates nothing", async ({ page }) => {
  await signIn(page);
  const before = await incidentTotal(page);
  const description = "Customers saw a blank page after paying.";

  await page.goto("/incidents/new");
  await hydrated(page);
  // Only spaces passes the browser's `required`, but not the server.
  await fillNewIncident(page, { title: "   ", kind: "bug", severity: "sev3", description });
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page.locator("#new-title-error")).toHaveText("Give the incident a short title.");
  await expect(page.locator("#new-kind")).toHaveValue("bug");
  await expect(page.locator("#new-severity")).toHaveValue("sev3");
  await expect(page.locator("#new-description")).toHaveValue(description);
  await expect(page).toHaveURL(/\/incidents\/new$/);

  // Detected before it started.
  const title = unique("Blank payment page");
  await page.locator("#new-title").fill(title);
  await page.locator("#new-started").fill("2026-11-20T10:00");
  await page.locator("#new-detected").fill("2026-11-20T09:00");
  await page.getByRole("button", { name: "Open incident" }).click();
  await expect(page.locator("#new-detected_at-error")).toHaveText("It cannot have been detected before it started.");
  await expect(page.locator("#new-title-error")).toHaveCount(0);
  await expect(page.locator("#new-title")).toHaveValue(title);
  await expect(page.locator("#new-started")).toHaveValue("2026-11-20T10:00");
  await expect(page.locator("#new-detected")).toHaveValue("2026-11-20T09:00");
  await expect(page.locator("#new-kind")).toHaveValue("bug");
  await expect(page.locator("#new-description")).toHaveValue(description);
  await expect(page).toHaveURL(/\/incidents\/new$/);

  expect(await incidentTotal(page)).toBe(before);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign in, open an incident, add a note", async ({ page }) => {
    await signIn(page);
    const id = await newIncident(page, unique("No-JS outage"), false);

    // The note form posts and the server sends the browser back to the incident.
    const note = `Rolled back the deploy at ${Date.now()}`;
    await page.locator("#note-text").fill(note);
    await page.getByRole("button", { name: "Add note" }).click();
    // (Back to the Referer; server_fn leaves an empty "?" where it strips old error info.)
    await expect(page).toHaveURL(new RegExp(`/incidents/${id}\\??$`));
    const timeline = page.getByRole("region", { name: "Timeline" });
    await expect(timeline.locator("li", { hasText: note })).toContainText("Note");
  });

  // The preview is part of the page the server sends, so it needs no script.
  test("the affected customers preview works as a plain GET form", async ({ page, browser }) => {
    // (The customer list streams in with JS, so its refs are read in a JS page.)
    const [a, b] = await asAdmin(browser, (admin) => customerRefs(admin, 2));
    await signIn(page);
    const id = await newIncident(page, unique("No-JS preview"), false);
    await page.getByRole("link", { name: "Add customers" }).click();
    await expect(page.getByRole("heading", { name: "Add affected customers" })).toBeVisible();
    await page.locator("#affected-list").fill(`${a}\n${b}`);
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page).toHaveURL(new RegExp(`/incidents/${id}/affected\\?list=`));
    await expect(page.locator("ul.tally")).toContainText("2 matched");
    await expect(page.locator("ul.tally")).toContainText("0 new");
    await expect(page.getByRole("button", { name: "Confirm: mark 2 customers affected" })).toBeVisible();
  });

  test("a refused new incident shows the field's message and keeps what was typed", async ({ page, browser }) => {
    const before = await asAdmin(browser, incidentTotal);
    await signIn(page);
    await page.goto("/incidents/new");
    const title = unique("No-JS refused");
    await fillNewIncident(page, { title, started: "2026-11-20T10:00", detected: "2026-11-20T09:00" });
    await page.getByRole("button", { name: "Open incident" }).click();
    // The server redirects back with the error in the URL (?__err=…) and the page shows it.
    await expect(page).toHaveURL(/\/incidents\/new\?.*__err=/);
    await expect(page.locator("#new-detected_at-error")).toHaveText("It cannot have been detected before it started.");
    await expect(page.locator("#new-title")).toHaveValue(title);
    await expect(page.locator("#new-detected")).toHaveValue("2026-11-20T09:00");
    expect(await asAdmin(browser, incidentTotal)).toBe(before);
  });
});

test("a stale edit is refused with a conflict and the other edit stands", async ({ page, context }) => {
  await signIn(page);
  const id = await newIncident(page, unique("Slow search"));
  const [pageA, pageB] = [await context.newPage(), await context.newPage()];
  for (const p of [pageA, pageB]) {
    await p.goto(`/incidents/${id}`);
    await hydrated(p);
    await p.getByText("Edit details").click();
  }

  const titleA = unique("Slow search (A)");
  await pageA.locator("#edit-title").fill(titleA);
  await pageA.getByRole("button", { name: "Save changes" }).click();
  await expect(pageA.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(pageA.getByRole("heading", { name: titleA, level: 1 })).toBeVisible();

  await pageB.locator("#edit-title").fill(unique("Slow search (B)"));
  await pageB.getByRole("button", { name: "Save changes" }).click();
  await expect(pageB.getByRole("alert").filter({ hasText: "Someone else changed this incident" })).toBeVisible();

  await pageB.reload();
  await expect(pageB.getByRole("heading", { name: titleA, level: 1 })).toBeVisible();
});

test("a viewer sees no editing controls and cannot open new incidents", async ({ page, browser }) => {
  // An admin prepares an incident with one affected customer (so its action forms would show).
  const title = unique("Viewer check");
  const id = await asAdmin(browser, async (admin) => {
    const [ref] = await customerRefs(admin, 1);
    const id = await newIncident(admin, title);
    // (Previewed client-side: a direct load of ?list=… hits the SSR preview bug noted below.)
    await admin.goto(`/incidents/${id}/affected`);
    await hydrated(admin);
    await admin.locator("#affected-list").fill(ref);
    await admin.getByRole("button", { name: "Preview" }).click();
    await admin.getByRole("button", { name: /^Confirm: mark 1 customers? affected$/ }).click();
    await expect(admin.getByText(/Marked 1 customers? affected\./)).toBeVisible();
    await expect(admin.getByText("Give a recovery action")).toBeVisible();
    return id;
  });

  await signIn(page, VIEWER);
  await page.goto(`/incidents/${id}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: title, level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: /Affected customers/ }).locator("tbody tr")).toHaveCount(1);
  await expect(page.getByText("Give a recovery action")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Add customers" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Change status" })).toHaveCount(0);
  await expect(page.getByText("Edit details")).toHaveCount(0);
  await expect(page.getByText("Remove…")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Download mail-merge CSV" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save reply" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add note" })).toHaveCount(0);

  // The list offers no way to open one, and the page itself is refused.
  await page.goto("/incidents");
  await expect(page.getByRole("heading", { name: "Incidents", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "New incident" })).toHaveCount(0);
  const denied = await page.goto("/incidents/new");
  expect(denied?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This part of Amends is for editors and admins." })).toBeVisible();
});

test("the status filter narrows the list and Back returns to all of it", async ({ page }) => {
  await signIn(page);
  const total = await incidentTotal(page);
  const all = `· ${total.toLocaleString("en-US")} incidents`;
  await hydrated(page);
  await page.getByLabel("Status").selectOption("resolved");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]status=resolved(&|$)/);
  await expect(page.locator(".pager-status")).not.toContainText(all);
  const statuses = page.locator('table tbody td[data-label="Status"]');
  const texts = await statuses.allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(t.trim()).toBe("Resolved");

  await page.goBack();
  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.locator(".pager-status")).toContainText(all);
  await expect(page.locator('table tbody td[data-label="Status"]', { hasText: "Open" }).first()).toBeVisible();
});

test("the filter controls follow the URL after Back and Clear", async ({ page }) => {
  await signIn(page);
  await page.goto("/incidents");
  await hydrated(page);
  await page.getByLabel("Status").selectOption("resolved");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/status=resolved/);
  await page.goBack();
  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.getByLabel("Status")).toHaveValue("");

  await page.goForward();
  await expect(page.getByLabel("Status")).toHaveValue("resolved");
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.getByLabel("Status")).toHaveValue("");
});

test("a correction on the replies page reloads the list and the page keeps working", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page);
  await page.goto("/replies");
  await hydrated(page);
  const first = page.locator("li.reply").first();
  const body = (await first.locator("blockquote").textContent()) ?? "";
  await first.getByText("Correct sentiment").click();
  await first.locator('input[name="score"]').fill("-0.85");
  await first.locator('input[name="reason"]').fill(unique("churn threat"));
  await first.getByRole("button", { name: "Save correction" }).click();
  const corrected = page.locator("li.reply", { hasText: body }).first();
  await expect(corrected.locator(".badge.sentiment")).toContainText("−0.85");
  await expect(corrected.locator(".badge.sentiment")).toContainText("✎");
  expect(errors).toEqual([]);
});
