import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { parseCsv } from "./csv";
import { hydrated, signIn } from "./session";
import { VIEWER } from "../playwright.config";

// The analytics dashboard at "/": headline cards, ten server-drawn charts with their numbers
// and downloads, filters in the URL — with and without JavaScript, and on a phone. Figures are
// never hard-coded: the page is checked against the JSON API for the very question it shows.


/** Every chart, in page order, with its title (app/src/charts/dashboard.rs). */
const CHARTS: [string, string][] = [
  ["sentiment", "Sentiment by recovery action"],
  ["retention", "Retention after an incident"],
  ["retention_by_action", "90-day retention by recovery action"],
  ["adjusted", "Adjusted effect on churn"],
  ["speed", "Sentiment by time to first contact"],
  ["speed_retention", "90-day retention by time to first contact"],
  ["dose_retention", "How much to give: 90-day retention"],
  ["dose_sentiment", "How much to give: sentiment"],
  ["weekly", "Week by week"],
  ["repeat", "Repeat pain"],
];

const CARDS = [
  "Cases",
  "Mean reply sentiment",
  "Retained at 90 days, with action",
  "Total recovery cost",
  "Cost per retained customer",
];

const PERIOD_ERROR = "The end of the period must be after its start.";

function panel(page: Page, id: string): Locator {
  return page.locator(`section.chart-panel[data-chart="${id}"]`);
}

/** "1,234" → 1234. */
function count(text: string | null): number {
  const t = (text ?? "").trim();
  expect(t, `a count, got "${t}"`).toMatch(/^\d{1,3}(,\d{3})*$/);
  return Number(t.replace(/,/g, ""));
}

/** The query string the page's figures are for, as its sentiment "Download CSV" link states it. */
async function shownQuery(page: Page): Promise<URLSearchParams> {
  const href = await panel(page, "sentiment").getByRole("link", { name: "Download CSV" }).getAttribute("href");
  expect(href).toMatch(/^\/dashboard\/sentiment\.csv\?/);
  return new URL(href!, "http://x").searchParams;
}

/** The "Cases" cell of the "No action" row in the sentiment chart's numbers. */
async function noActionCasesOnPage(page: Page): Promise<number> {
  const row = panel(page, "sentiment")
    .locator("table tbody tr")
    .filter({ has: page.locator('td[data-label="Group"]', { hasText: /^No action$/ }) });
  await expect(row).toHaveCount(1);
  return count(await row.locator('td[data-label="Cases"]').textContent());
}

async function api(request: APIRequestContext, report: string, q: URLSearchParams) {
  const res = await request.get(`/api/v1/analytics/${report}?${q}`);
  expect(res.status(), `${report}?${q}`).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/json");
  return res.json();
}

async function noActionCasesFromApi(request: APIRequestContext, q: URLSearchParams): Promise<number> {
  const body = await api(request, "sentiment", q);
  const group = body.groups.find((g: { group: string }) => g.group === "no_action");
  expect(group).toBeTruthy();
  return group.cases;
}


/** Every chart panel is there, titled and drawn: the demo's year (all of it, or its outages
 * alone) has enough data for each chart, so a "Not enough data" note here is a bug. */
async function expectAllCharts(page: Page) {
  await expect(page.locator("section.chart-panel")).toHaveCount(CHARTS.length);
  const ids = await page.locator("section.chart-panel").evaluateAll((els) => els.map((e) => e.getAttribute("data-chart")));
  expect(ids).toEqual(CHARTS.map(([id]) => id));
  for (const [id, title] of CHARTS) {
    const p = panel(page, id);
    await expect(p.getByRole("heading", { level: 2 })).toHaveText(title);
    await expect(p.locator("figure.chart > svg"), `${id} is drawn`).toHaveCount(1);
    await expect(p.locator("p.chart-empty"), `${id} has no empty note`).toHaveCount(0);
    await expect(p.getByRole("link", { name: "Download SVG" })).toHaveCount(1);
    await expect(p.getByRole("link", { name: "Download CSV" })).toHaveCount(1);
  }
}

test.describe("the dashboard", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, VIEWER);
  });

  test("a viewer sees the headline cards and all ten charts, with the API's figures", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();

    const cards = page.getByRole("region", { name: "Headline numbers" });
    await expect(cards.locator(".card-label")).toHaveText(CARDS);
    for (const v of await cards.locator(".card-value").allTextContents()) expect(v.trim()).not.toBe("");
    await expectAllCharts(page);

    // The form shows the question the figures answer.
    const q = await shownQuery(page);
    for (const [name, label] of [
      ["from", "Incidents from"],
      ["to", "until (not including)"],
      ["as_of", "Retention as of"],
    ]) {
      expect(q.get(name)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      await expect(page.getByLabel(label, { exact: true })).toHaveValue(q.get(name)!);
    }
    expect(q.get("kind")).toBeNull();

    // The numbers agree with the API asked the same question.
    const noAction = await noActionCasesFromApi(page.request, q);
    expect(await noActionCasesOnPage(page)).toBe(noAction);
    // Every case is either never contacted (no action) or in one time-to-contact bucket.
    const speed = await api(page.request, "speed", q);
    expect(speed.never_contacted).toBe(noAction);
    const total = speed.never_contacted + speed.buckets.reduce((s: number, b: { cases: number }) => s + b.cases, 0);
    const casesCard = cards.locator(".card").filter({ has: page.locator(".card-label", { hasText: /^Cases$/ }) });
    expect(count(await casesCard.locator(".card-value").textContent())).toBe(total);

    // The adjusted model's table holds the API's terms, each with its hazard ratio.
    const adjusted = await api(page.request, "adjusted", q);
    expect(adjusted.refusal).toBeNull();
    expect(adjusted.terms.length).toBeGreaterThan(0);
    const rows = panel(page, "adjusted").locator("table tbody tr");
    await expect(rows).toHaveCount(adjusted.terms.length + adjusted.left_out.length);
    for (const [i, t] of adjusted.terms.entries()) {
      const cells = rows.nth(i).locator("td");
      await expect(cells.first()).toHaveText(t.label);
      await expect(cells.nth(2)).toHaveText(new RegExp(`^${t.hazard_ratio.toFixed(2)} \\(`));
    }

    // How much to give: each bucket's cases as the API counts them, then no action.
    const dose = await api(page.request, "dose", q);
    const doseRows = panel(page, "dose_retention").locator("table tbody tr");
    await expect(doseRows).toHaveCount(dose.buckets.length + 1);
    for (const [i, b] of dose.buckets.entries()) {
      const cells = doseRows.nth(i).locator("td");
      await expect(cells.first()).toHaveText(b.label);
      expect(count(await cells.nth(1).textContent())).toBe(b.cases);
    }
    expect(count(await doseRows.last().locator("td").nth(1).textContent())).toBe(dose.no_action_cases);

    await hydrated(page);
    expect(errors).toEqual([]);
  });

  test("“Show numbers” opens the table, and the downloads match it", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    const p = panel(page, "sentiment");
    const table = p.locator("details.numbers table");
    await expect(table).toBeHidden();
    await p.getByText("Show numbers").click();
    await expect(table).toBeVisible();
    const header = (await table.locator("thead th").allTextContents()).map((h) => h.trim());
    expect(header[0]).toBe("Group");
    expect(header).toContain("Cases");
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    await expect(rows.first().locator("td")).toHaveCount(header.length);

    // The CSV holds the table: the same header, then its rows.
    const csvHref = (await p.getByRole("link", { name: "Download CSV" }).getAttribute("href"))!;
    const csv = await page.request.get(csvHref);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
    const lines = parseCsv(await csv.text()).filter((r) => r.join("") !== "");
    expect(lines[0]).toEqual(header);
    expect(lines.length - 1).toBe(await rows.count());
    const firstRow = (await rows.first().locator("td").allTextContents()).map((c) => c.trim());
    expect(lines[1][0]).toBe(firstRow[0]);

    // The SVG is the drawing.
    const svgHref = (await p.getByRole("link", { name: "Download SVG" }).getAttribute("href"))!;
    expect(svgHref).toMatch(/^\/dashboard\/sentiment\.svg\?/);
    const svg = await page.request.get(svgHref);
    expect(svg.status()).toBe(200);
    expect(svg.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
    expect((await svg.text()).trimStart()).toMatch(/^<svg[\s>]/);
  });

  test("filtering by kind changes the figures, and Back undoes it", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    const all = await shownQuery(page);
    const allCases = await noActionCasesOnPage(page);
    const outageQuery = new URLSearchParams(all);
    outageQuery.set("kind", "outage");
    const outageCases = await noActionCasesFromApi(page.request, outageQuery);
    // (A precondition of the demo data, so "the figures changed" can be seen.)
    expect(outageCases).not.toBe(allCases);

    await page.getByLabel("Kind").selectOption({ label: "Outage" });
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/[?&]kind=outage(&|$)/);
    await expect.poll(() => noActionCasesOnPage(page)).toBe(outageCases);
    expect((await shownQuery(page)).get("kind")).toBe("outage");
    await expect(page.getByLabel("Kind")).toHaveValue("outage");
    await expect(page.getByLabel("Kind").locator("option:checked")).toHaveText("Outage");
    await expectAllCharts(page);

    await page.goBack();
    await expect(page).toHaveURL((url) => url.pathname === "/" && url.search === "");
    await expect.poll(() => noActionCasesOnPage(page)).toBe(allCases);
    await expect(page.getByLabel("Kind")).toHaveValue("");
    expect((await shownQuery(page)).get("kind")).toBeNull();
  });

  test("a period that ends before it starts is refused at the field, without charts", async ({ page }) => {
    const res = await page.goto("/?from=2026-05-01&to=2026-04-01");
    expect(res?.status()).toBeLessThan(500);
    const to = page.getByLabel("until (not including)");
    await expect(page.locator("#d-to-msg")).toHaveText(PERIOD_ERROR);
    await expect(to).toHaveAccessibleDescription(PERIOD_ERROR);
    // What was asked stays in the form, to be corrected.
    await expect(page.getByLabel("Incidents from")).toHaveValue("2026-05-01");
    await expect(to).toHaveValue("2026-04-01");
    await expect(page.locator("section.chart-panel")).toHaveCount(0);
    await expect(page.locator("figure.chart")).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Headline numbers" })).toHaveCount(0);
  });

  test("an unknown kind or severity in the URL is named next to its field", async ({ page }) => {
    await page.goto("/?kind=meteor");
    await expect(page.locator("#d-kind-msg")).toContainText("not “meteor”");
    await expect(page.getByLabel("Kind")).toHaveAccessibleDescription(/kind must be one of/);
    await expect(page.locator("section.chart-panel")).toHaveCount(0);
    await page.goto("/?severity=sev9");
    await expect(page.locator("#d-severity-msg")).toContainText("not “sev9”");
  });

  test("typing a period that ends before it starts and applying shows the field's message", async ({ page }) => {
    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("section.chart-panel")).toHaveCount(CHARTS.length);
    await page.getByLabel("Incidents from").fill("2026-05-01");
    await page.getByLabel("until (not including)").fill("2026-04-01");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/[?&]from=2026-05-01(&|$)/);
    await expect(page).toHaveURL(/[?&]to=2026-04-01(&|$)/);
    await expect(page.locator("#d-to-msg")).toHaveText(PERIOD_ERROR);
    await expect(page.getByLabel("until (not including)")).toHaveAccessibleDescription(PERIOD_ERROR);
    await expect(page.locator("section.chart-panel")).toHaveCount(0);
    await expect(page.getByLabel("Incidents from")).toHaveValue("2026-05-01");
    await expect(page.getByLabel("until (not including)")).toHaveValue("2026-04-01");
  });

  test("on a phone the page does not scroll sideways", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("section.chart-panel")).toHaveCount(CHARTS.length);
    const overflow = async () =>
      page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        // What sticks out, to say why when it fails.
        culprits: [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} → ${Math.round(e.getBoundingClientRect().right)}`),
      }));
    let o = await overflow();
    expect(o.scroll, o.culprits.join("; ")).toBeLessThanOrEqual(390 + 1);

    // Also with every table of numbers open.
    for (const s of await page.locator("details.numbers > summary").all()) await s.click();
    await expect(page.locator("details.numbers[open]")).toHaveCount(CHARTS.length);
    o = await overflow();
    expect(o.scroll, o.culprits.join("; ")).toBeLessThanOrEqual(390 + 1);
  });
});

test.describe("the dashboard without JavaScript", () => {
  test("is drawn on the server", async ({ browser }) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await signIn(page, VIEWER);
      await page.goto("/");
      await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
      await expect(page.getByRole("region", { name: "Headline numbers" }).locator(".card-label")).toHaveText(CARDS);
      await expectAllCharts(page);
      await expect(page.locator("figure.chart > svg").first()).toBeVisible();
      expect(await noActionCasesOnPage(page)).toBe(await noActionCasesFromApi(page.request, await shownQuery(page)));
      // Nothing ran in the page.
      await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");

      // The filter form is a plain GET form.
      await page.getByLabel("Kind").selectOption("outage");
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page).toHaveURL(/[?&]kind=outage(&|$)/);
      await expect(page.getByLabel("Kind")).toHaveValue("outage");
      const q = await shownQuery(page);
      expect(q.get("kind")).toBe("outage");
      expect(await noActionCasesOnPage(page)).toBe(await noActionCasesFromApi(page.request, q));
    } finally {
      await context.close();
    }
  });
});
