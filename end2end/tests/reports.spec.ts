import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { parseCsv } from "./csv";
import { hydrated, signIn } from "./session";
import { VIEWER } from "../playwright.config";

// The weekly report: the list of weeks at /reports, one week's report with its picker,
// previous / next links, downloads and print — with and without JavaScript, and on a phone.
// Figures are never hard-coded: the page is checked against the week's own report.json, and
// the weeks used are found by reading that JSON (the demo data decides which weeks are busy).

type Unit = "count" | "score" | "share" | "money";

interface Figure {
  key: string;
  label: string;
  unit: Unit;
  currency: string | null;
  value: number | null;
  previous: number | null;
  average: number | null;
}

interface Incident {
  id: number;
  title: string;
  affected: number;
  not_contacted: number;
  actions: { kind: string; count: number }[];
}

interface ChartView {
  id: string;
  title: string;
  svg: string | null;
  empty: string;
}

interface Report {
  charts: ChartView[];
  week: string;
  prev: string;
  next: string;
  next_exists: boolean;
  complete: boolean;
  figures: Figure[];
  incidents: Incident[];
}

const WEEK = /^\d{4}-W\d{2}$/;
const NAV = "Weeks and downloads";
const RUNNING = "This week is still running";
const FIGURES_HEADER = ["table", "figure", "label", "this_week", "previous_week", "change", "average_8_weeks"];

// ---------------------------------------------------------------------------------------------
// The app's own answers.

async function reportJson(request: APIRequestContext, week: string): Promise<Report> {
  const res = await request.get(`/reports/weekly/${week}/report.json`);
  expect(res.status(), `report.json of ${week}`).toBe(200);
  expect(res.headers()["content-type"]).toContain("application/json");
  const r: Report = await res.json();
  expect(r.week).toBe(week);
  expect(r.figures.length, `${week} has headline figures`).toBeGreaterThan(0);
  return r;
}

/** The week the picker's bare target (`/reports/weekly`, no week) leads to: the last full one. */
async function lastFullWeek(request: APIRequestContext): Promise<string> {
  const res = await request.get("/reports/weekly", { maxRedirects: 0 });
  expect(res.status()).toBeGreaterThanOrEqual(300);
  expect(res.status()).toBeLessThan(400);
  const week = (res.headers()["location"] ?? "").replace(/^\/reports\/weekly\//, "");
  expect(week).toMatch(WEEK);
  return week;
}

/**
 * The latest full week with incidents and some non-zero count, walking back from last week.
 * Its two weeks before are reports too (the demo data covers a year), for the picker journeys.
 */
async function busyWeek(request: APIRequestContext): Promise<Report> {
  let week = await lastFullWeek(request);
  for (let i = 0; i < 26; i++) {
    const r = await reportJson(request, week);
    const counted = r.figures.some((f) => f.unit === "count" && (f.value ?? 0) > 0);
    if (r.complete && r.incidents.length > 0 && counted) return r;
    week = r.prev;
  }
  throw new Error("no week with incidents in the 26 weeks up to last week; the demo data should have some");
}

// ---------------------------------------------------------------------------------------------
// Reading the page.

function region(page: Page, name: string): Locator {
  return page.getByRole("region", { name, exact: true });
}

function figureRow(page: Page, key: string): Locator {
  return region(page, "Headline").locator(`tbody tr[data-figure="${key}"]`);
}

function cell(row: Locator, label: string): Locator {
  return row.locator(`td[data-label="${label}"]`);
}

/** "1,234" → 1234. */
function count(text: string | null): number {
  const t = (text ?? "").trim();
  expect(t, `a count, got "${t}"`).toMatch(/^\d{1,3}(,\d{3})*$/);
  return Number(t.replace(/,/g, ""));
}

/** 1234 → "1,234", as the page writes counts. */
function showCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "+3", "−15" → 3, −15 (the page's minus is U+2212). */
function signedCount(text: string | null): number {
  const t = (text ?? "").trim();
  if (t === "no change") return 0;
  expect(t, `a signed count, got "${t}"`).toMatch(/^[+−]\d{1,3}(,\d{3})*$/);
  const n = Number(t.slice(1).replace(/,/g, ""));
  return t.startsWith("−") ? -n : n;
}

/**
 * One value of a figure as the page worded it, against the JSON: counts exactly, money to the
 * minor unit ("$1,234.50" is 123450 minor units), scores and shares to the decimals shown.
 */
function expectWorded(f: Figure, v: number | null, text: string | null, column: string) {
  const t = (text ?? "").trim();
  const what = `${f.key}, ${column}: "${t}" for ${v}`;
  if (v === null) {
    expect(t, what).toBe("—");
    return;
  }
  const near = (shown: number, want: number, half: number) =>
    expect(Math.abs(shown - want), what).toBeLessThanOrEqual(half + 1e-9);
  switch (f.unit) {
    case "count":
      if (Number.isInteger(v)) expect(count(t), what).toBe(v);
      else {
        // An average of counts keeps one decimal.
        expect(t, what).toMatch(/^\d+\.\d$/);
        near(Number(t), v, 0.05);
      }
      break;
    case "score":
      expect(t, what).toMatch(/^[+−]\d\.\d\d$/);
      near(Number(t.replace("−", "-")), v, 0.005);
      break;
    case "share":
      expect(t, what).toMatch(/^\d{1,3}\.\d %$/);
      near(Number(t.replace(" %", "")), v * 100, 0.05);
      break;
    case "money": {
      expect(t, what).toMatch(/^-?\D*\d[\d,]*(\.\d+)?( [A-Z]{3})?$/);
      const minor = Number(t.replace(/\D/g, "")) * (t.startsWith("-") ? -1 : 1);
      expect(minor, what).toBe(Math.round(v));
      break;
    }
  }
}

/** The Headline table holds every figure of the JSON, in its order, worded as the JSON says. */
async function expectHeadline(page: Page, r: Report) {
  const headline = region(page, "Headline");
  await expect(headline).toBeVisible();
  const rows = headline.locator("tbody tr[data-figure]");
  await expect(rows).toHaveCount(r.figures.length);
  const keys = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-figure")));
  expect(keys).toEqual(r.figures.map((f) => f.key));
  for (const f of r.figures) {
    const row = figureRow(page, f.key);
    await expect(row.getByRole("rowheader")).toHaveText(f.label);
    expectWorded(f, f.value, await cell(row, "This week").textContent(), "This week");
    expectWorded(f, f.previous, await cell(row, "Last week").textContent(), "Last week");
    const average = await row.locator('td[data-label$="-week average"]').textContent();
    expectWorded(f, f.average, average, "average");
    if (f.unit === "count" && f.value !== null && f.previous !== null) {
      expect(signedCount(await cell(row, "Change").textContent()), `${f.key}, Change`).toBe(f.value - f.previous);
    }
  }
}

/** The Incidents section lists exactly the JSON's incidents, each linked, with its customers. */
async function expectIncidents(page: Page, r: Report) {
  const section = region(page, "Incidents");
  await expect(section.locator("tbody tr[data-incident]")).toHaveCount(r.incidents.length);
  for (const i of r.incidents) {
    const row = section.locator(`tr[data-incident="${i.id}"]`);
    const link = row.getByRole("link", { name: `#${i.id} ${i.title}`, exact: true });
    await expect(link).toBeVisible();
    await expect(link).toHaveAttribute("href", `/incidents/${i.id}`);
    // "22" and, below it, "8 not contacted" when some were not.
    const untouched = i.not_contacted > 0 ? `${showCount(i.not_contacted)} not contacted` : "";
    await expect(cell(row, "Affected")).toHaveText(`${showCount(i.affected)}${untouched}`);
  }
}

/** The page is the report of `week`, and its picker shows that week (unless `picker` is false). */
async function expectReportOf(page: Page, week: string, { picker = true } = {}) {
  await expect(page).toHaveURL((url) => url.pathname === `/reports/weekly/${week}`);
  await expect(page.getByRole("heading", { name: `Week ${week}`, level: 1 })).toBeVisible();
  if (picker) await expect(page.getByLabel("Week", { exact: true })).toHaveValue(week);
}

/** What sticks out of a phone's width, to say why when the page scrolls sideways. */
async function overflow(page: Page) {
  return page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    culprits: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      // Inside a scrolling .table-wrap is fine: only the wrap itself must fit.
      .filter((e) => !e.parentElement?.closest(".table-wrap"))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} → ${Math.round(e.getBoundingClientRect().right)}`),
  }));
}

// ---------------------------------------------------------------------------------------------

test.describe("the weekly report", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page);
  });

  test("the menu leads to Reports, and “Last week” opens the last full week's report", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await hydrated(page);
    const menuLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports", exact: true });
    await menuLink.click();
    await expect(page).toHaveURL((url) => url.pathname === "/reports");
    await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
    await expect(menuLink).toHaveAttribute("aria-current", "page");

    const weeks = region(page, "Weekly reports");
    const last = weeks.getByRole("link", { name: /^Last week \(\d{4}-W\d{2}\)$/ });
    await expect(last).toBeVisible();
    const week = /\((\d{4}-W\d{2})\)/.exec((await last.textContent()) ?? "")![1];
    // It is the week the bare picker target leads to, the picker starts on it, and the list has it.
    expect(week).toBe(await lastFullWeek(page.request));
    await expect(weeks.getByLabel("Week", { exact: true })).toHaveValue(week);
    await expect(weeks.getByRole("listitem").getByRole("link", { name: week, exact: true })).toBeVisible();

    // Last week has ended; the week after it is the one still running, listed as such.
    const r = await reportJson(page.request, week);
    expect(r.complete).toBe(true);
    expect((await reportJson(page.request, r.next)).complete).toBe(false);
    const running = weeks.getByRole("listitem").filter({ hasText: "this week, so far" });
    await expect(running).toHaveCount(1);
    await expect(running.getByRole("link")).toHaveText(r.next);

    await last.click();
    await expectReportOf(page, week);
    await expect(page).toHaveTitle(`Weekly report ${week} · Amends`);
    await expect(page.getByRole("status").filter({ hasText: RUNNING })).toHaveCount(0);
    await expectHeadline(page, r);
    await expectIncidents(page, r);
    for (const name of ["Recovery actions given", "Highlights", "Notable replies"]) {
      await expect(region(page, name)).toBeVisible();
    }
    const replies = region(page, "Notable replies");
    await expect(replies.getByRole("heading", { name: "Most positive", level: 3 })).toBeVisible();
    await expect(replies.getByRole("heading", { name: "Most negative", level: 3 })).toBeVisible();
    // Which of last week's charts have enough to draw depends on the day the demo was made,
    // so the week's own report.json says: each is drawn exactly when it has a drawing there,
    // and otherwise shows that chart's own note.
    const charts = region(page, "Charts");
    expect(r.charts.map((c) => c.id)).toEqual(["trend", "sentiment", "speed"]);
    for (const c of r.charts) {
      const chart = charts.locator(`section[data-chart="${c.id}"]`);
      await expect(chart, `chart ${c.id}`).toHaveCount(1);
      await expect(chart.getByRole("heading", { level: 2 })).toHaveText(c.title);
      if (c.svg !== null) {
        await expect(chart.locator("figure.chart > svg"), `${c.id} drawn`).toHaveCount(1);
        await expect(chart.locator("p.chart-empty"), c.id).toHaveCount(0);
      } else {
        await expect(chart.locator("figure.chart > svg"), c.id).toHaveCount(0);
        await expect(chart.locator("p.chart-empty"), `${c.id} says why not`).toHaveText(c.empty);
      }
    }
    // Nine weeks of a year of demo incidents always hold enough for the trend.
    expect(r.charts[0].svg, "the trend is drawn").not.toBeNull();
    expect(errors).toEqual([]);
  });

  test("a busy week's headline figures and incidents are the report.json's, as the page words them", async ({ page }) => {
    const r = await busyWeek(page.request);
    const res = await page.goto(`/reports/weekly/${r.week}`);
    expect(res?.status()).toBe(200);
    await expectReportOf(page, r.week);
    await expectHeadline(page, r);
    await expectIncidents(page, r);
    // The same once the page has hydrated (the client renders the same report).
    await hydrated(page);
    await expectHeadline(page, r);
    await expectIncidents(page, r);
  });

  test("“Download CSV” downloads the report whose figures are the JSON's; the other files are offered", async ({ page }) => {
    const r = await busyWeek(page.request);
    await page.goto(`/reports/weekly/${r.week}`);
    await hydrated(page);
    const nav = page.getByRole("navigation", { name: NAV });
    const csvLink = nav.getByRole("link", { name: "Download CSV" });
    await expect(csvLink).toHaveAttribute("href", `/reports/weekly/${r.week}/report.csv`);

    const [download] = await Promise.all([page.waitForEvent("download"), csvLink.click()]);
    expect(download.suggestedFilename()).toBe(`amends-weekly-${r.week}.csv`);
    const path = await download.path();
    const rows = parseCsv(await readFile(path!, "utf8"));

    // Blocks separated by a blank line, each headed by a row starting with "table".
    const blocks: string[][][] = [];
    let block: string[][] = [];
    for (const row of rows) {
      if (row.join("") === "") {
        if (block.length) blocks.push(block);
        block = [];
      } else block.push(row);
    }
    if (block.length) blocks.push(block);
    expect(blocks.length).toBeGreaterThan(1);
    for (const b of blocks) expect(b[0][0]).toBe("table");
    const figures = blocks.filter((b) => b.length > 1 && b[1][0] === "figures");
    expect(figures, "one figures block").toHaveLength(1);
    const [header, ...body] = figures[0];
    expect(header).toEqual(FIGURES_HEADER);
    const col = (name: string) => header.indexOf(name);
    for (const row of body) expect(row[0]).toBe("figures");
    expect(body.map((row) => row[col("figure")])).toEqual(r.figures.map((f) => f.key));
    for (const f of r.figures) {
      const row = body.find((x) => x[col("figure")] === f.key)!;
      expect(row[col("label")]).toBe(f.label);
      if (f.unit !== "count") continue;
      // Counts are plain: no thousands separators.
      for (const [name, v] of [["this_week", f.value], ["previous_week", f.previous]] as const) {
        const c = row[col(name)];
        if (v === null) expect(c, `${f.key} ${name}`).toBe("");
        else {
          expect(c, `${f.key} ${name}`).toMatch(/^-?\d+$/);
          expect(Number(c), `${f.key} ${name}`).toBe(v);
        }
      }
    }
    // The report block names the week.
    const report = blocks.find((b) => b.length > 1 && b[1][0] === "report")!;
    expect(report[1][report[0].indexOf("week")]).toBe(r.week);

    // Markdown downloads; the printable page opens on its own, without the page's navigation.
    await expect(nav.getByRole("link", { name: "Markdown" })).toHaveAttribute("href", `/reports/weekly/${r.week}/report.md`);
    const [md] = await Promise.all([page.waitForEvent("download"), nav.getByRole("link", { name: "Markdown" }).click()]);
    expect(md.suggestedFilename()).toBe(`amends-weekly-${r.week}.md`);
    expect(await readFile((await md.path())!, "utf8")).toContain(r.week);

    const printable = nav.getByRole("link", { name: "Printable page" });
    await expect(printable).toHaveAttribute("href", `/reports/weekly/${r.week}/report.html`);
    const [popup] = await Promise.all([page.waitForEvent("popup"), printable.click()]);
    await expect(popup).toHaveURL((url) => url.pathname === `/reports/weekly/${r.week}/report.html`);
    await expect(popup.getByRole("heading", { name: `Week ${r.week}`, level: 1 })).toBeVisible();
    await expectHeadline(popup, r);
    await expect(popup.getByRole("navigation", { name: NAV })).toHaveCount(0);
    await popup.close();
    // The page itself stayed where it was.
    await expectReportOf(page, r.week);
    await expect(nav.getByRole("button", { name: "Print" })).toBeVisible();
  });

  test("the picker goes to the typed week; previous / next move one week in the page, and Back works", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const r = await busyWeek(page.request);
    const before = await reportJson(page.request, r.prev);
    const target = await reportJson(page.request, before.prev); // two weeks before the busy one
    const targetPrev = await reportJson(page.request, target.prev);

    await page.goto(`/reports/weekly/${r.week}`);
    await hydrated(page);
    const input = page.getByLabel("Week", { exact: true });
    await expect(input).toHaveAttribute("type", "week");
    try {
      await input.fill(target.week);
    } catch {
      // A browser whose week input takes no ISO text gets the value set directly.
      await input.evaluate((el, v) => ((el as HTMLInputElement).value = v), target.week);
    }
    await expect(input).toHaveValue(target.week);
    await page.getByRole("button", { name: "Go", exact: true }).click();
    await expectReportOf(page, target.week);
    await expectHeadline(page, target);

    // From here on the page's own router moves between weeks: the document stays the same.
    await hydrated(page);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const sameDocument = () => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);
    const nav = page.getByRole("navigation", { name: NAV });
    // What this week's report calls "Last week" …
    const lastWeekCells: Record<string, string> = {};
    for (const f of target.figures) lastWeekCells[f.key] = (await cell(figureRow(page, f.key), "Last week").textContent()) ?? "";

    await nav.getByRole("link", { name: `← ${target.prev}`, exact: true }).click();
    await expectReportOf(page, target.prev);
    await expectHeadline(page, targetPrev);
    // … is what the week before calls "This week".
    for (const f of targetPrev.figures) {
      await expect(cell(figureRow(page, f.key), "This week"), f.key).toHaveText(lastWeekCells[f.key]);
    }
    expect(await sameDocument(), "previous week shown without reloading the page").toBe(true);

    await nav.getByRole("link", { name: `${targetPrev.next} →`, exact: true }).click();
    expect(targetPrev.next).toBe(target.week);
    await expectReportOf(page, target.week);
    await expectHeadline(page, target);
    expect(await sameDocument(), "next week shown without reloading the page").toBe(true);

    await page.goBack();
    await expectReportOf(page, target.prev);
    await expectHeadline(page, targetPrev);
    await page.goBack();
    await expectReportOf(page, target.week);
    // Back to the first page, a document of its own: the browser brings it back as it was left,
    // with the week that was typed into the picker still in it, so only the report is checked.
    await page.goBack();
    await expectReportOf(page, r.week, { picker: false });
    await expectHeadline(page, r);
    expect(errors).toEqual([]);
  });

  test("a week that does not exist, or has not started, is explained at the week field", async ({ page }) => {
    const res = await page.goto("/reports/weekly/2025-W53");
    expect(res?.status()).toBe(422);
    const message = "2025 has weeks 01 to 52, not 53.";
    const input = page.getByLabel("Week", { exact: true });
    await expect(input).toHaveAccessibleDescription(message);
    await expect(input).toHaveAttribute("aria-invalid", "true");
    await expect(page.locator("#week-msg")).toHaveText(message);
    await expect(page.getByText("No report for this week")).toBeVisible();
    await expect(page.getByRole("article")).toHaveCount(0);
    await expect(region(page, "Headline")).toHaveCount(0);
    await expect(page.getByRole("navigation", { name: NAV })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "the list of weeks" })).toHaveAttribute("href", "/reports");
    // The files refuse it too, with the same words.
    const file = await page.request.get("/reports/weekly/2025-W53/report.json");
    expect(file.status()).toBe(422);
    expect(await file.text()).toContain(message);
    // Still so once the page has hydrated.
    await hydrated(page);
    await expect(input).toHaveAccessibleDescription(message);

    const last = await lastFullWeek(page.request);
    const future = await page.goto("/reports/weekly/2199-W01");
    expect(future?.status()).toBe(422);
    await expect(input).toHaveAccessibleDescription(`2199-W01 has not started yet. The latest full week is ${last}.`);
    await expect(input).toHaveValue("2199-W01");
    await expect(page.getByText("No report for this week")).toBeVisible();
    await expect(region(page, "Headline")).toHaveCount(0);

    // A well-formed week shows no message.
    await page.goto(`/reports/weekly/${last}`);
    await expect(page.locator("#week-msg")).toHaveText("");
    await expect(input).not.toHaveAttribute("aria-invalid", "true");
  });

  test("the running week says so and has no next week to go to", async ({ page }) => {
    const last = await reportJson(page.request, await lastFullWeek(page.request));
    const running = await reportJson(page.request, last.next);
    expect(running.complete).toBe(false);
    expect(running.next_exists).toBe(false);
    await page.goto(`/reports/weekly/${running.week}`);
    await expectReportOf(page, running.week);
    await expect(page.getByRole("status").filter({ hasText: RUNNING })).toBeVisible();
    const nav = page.getByRole("navigation", { name: NAV });
    await expect(nav.getByRole("link", { name: `${running.next} →` })).toHaveCount(0);
    await expect(nav.getByText(`${running.next} →`)).toHaveAttribute("aria-disabled", "true");
    await expect(nav.getByRole("link", { name: `← ${running.prev}`, exact: true })).toBeVisible();
    await expectHeadline(page, running);
  });

  test("on a phone the report does not scroll sideways", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const r = await busyWeek(page.request);
    for (const path of ["/reports", `/reports/weekly/${r.week}`, "/reports/weekly/2025-W53"]) {
      await page.goto(path);
      await hydrated(page);
      const o = await overflow(page);
      expect(o.scroll, `${path}: ${o.culprits.join("; ")}`).toBeLessThanOrEqual(o.width + 1);
    }
    // The report, with every chart's numbers open too.
    await page.goto(`/reports/weekly/${r.week}`);
    await hydrated(page);
    await expectHeadline(page, r);
    await expect(region(page, "Headline")).toBeInViewport({ ratio: 0.1 });
    const summaries = page.locator("details.numbers > summary");
    expect(await summaries.count()).toBeGreaterThan(0);
    for (const s of await summaries.all()) await s.click();
    await expect(page.locator("details.numbers:not([open])")).toHaveCount(0);
    const o = await overflow(page);
    expect(o.scroll, o.culprits.join("; ")).toBeLessThanOrEqual(o.width + 1);
  });

  test("on a laptop every incident column shows without scrolling, one line per kind of action", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const r = await busyWeek(page.request);
    await page.goto(`/reports/weekly/${r.week}`);
    await hydrated(page);
    const wrap = region(page, "Incidents").locator(".table-wrap");
    const fit = await wrap.evaluate((e) => ({ scroll: e.scrollWidth, width: e.clientWidth }));
    expect(fit.scroll, "the incidents table scrolls sideways").toBeLessThanOrEqual(fit.width + 1);
    for (const i of r.incidents) {
      const lines = cell(region(page, "Incidents").locator(`tr[data-incident="${i.id}"]`), "Actions").locator(".line");
      const counts = (await lines.allTextContents()).map((t) => {
        expect(t).toMatch(/^\d[\d,]* × [a-z ]+$/);
        return Number(t.split(" × ")[0].replace(/,/g, ""));
      });
      expect(counts, `#${i.id}`).toEqual(i.actions.map((a) => a.count));
    }
  });

  test("printed, the report drops the navigation, the picker and the top bar", async ({ page }) => {
    const r = await busyWeek(page.request);
    await page.goto(`/reports/weekly/${r.week}`);
    await hydrated(page);
    const nav = page.getByRole("navigation", { name: NAV });
    const topBar = page.getByRole("banner");
    const picker = page.getByRole("form", { name: "Go to a week" });
    // On screen they are there …
    await expect(nav).toBeVisible();
    await expect(topBar).toBeVisible();
    await expect(picker).toBeVisible();

    // "Print" asks the browser to print (here a stand-in counts the calls).
    type Counted = { printed: number };
    await page.evaluate(() => {
      (window as unknown as Counted).printed = 0;
      window.print = () => void (window as unknown as Counted).printed++;
    });
    await nav.getByRole("button", { name: "Print" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as Counted).printed)).toBe(1);

    await page.emulateMedia({ media: "print" });
    // … on paper they are not, and the report is.
    await expect(nav).toBeHidden();
    await expect(topBar).toBeHidden();
    await expect(picker).toBeHidden();
    await expect(page.getByRole("link", { name: "Download CSV" })).toBeHidden();
    await expect(page.getByRole("button", { name: "Print" })).toBeHidden();
    await expect(page.getByRole("heading", { name: `Week ${r.week}`, level: 1 })).toBeVisible();
    await expect(region(page, "Headline")).toBeVisible();
    await expect(region(page, "Incidents")).toBeVisible();
    await expectHeadline(page, r);
    // White paper: the screen's tinted background is not printed behind the report.
    const paper = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(paper).toBe("rgb(255, 255, 255)");

    await page.emulateMedia({ media: "screen" });
    await expect(nav).toBeVisible();
  });
});

test.describe("a viewer", () => {
  test("reads a week's report, and its files; signed out, the files lead to sign-in", async ({ page, request }) => {
    await signIn(page, VIEWER);
    await page.goto("/reports");
    const last = region(page, "Weekly reports").getByRole("link", { name: /^Last week \(\d{4}-W\d{2}\)$/ });
    const week = /\((\d{4}-W\d{2})\)/.exec((await last.textContent()) ?? "")![1];
    await last.click();
    await expectReportOf(page, week);
    const r = await reportJson(page.request, week);
    await expectHeadline(page, r);
    await expectIncidents(page, r);
    const csv = await page.request.get(`/reports/weekly/${week}/report.csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);

    // (`request` shares no cookies with the page: nobody is signed in.) Like any download link
    // followed by a browser, a signed-out request for a file is sent to sign in first.
    const file = `/reports/weekly/${week}/report.json`;
    const anonymous = await request.get(file, { maxRedirects: 0 });
    expect(anonymous.status()).toBe(303);
    expect(anonymous.headers()["location"]).toBe(`/login?next=${encodeURIComponent(file)}`);
    expect(await anonymous.text()).not.toContain(week);
  });
});

test.describe("the weekly report without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("is drawn on the server, and the picker and week links still navigate", async ({ page }) => {
    await signIn(page);
    const r = await busyWeek(page.request);
    const before = await reportJson(page.request, r.prev);
    await page.goto(`/reports/weekly/${r.week}`);
    await expectReportOf(page, r.week);
    await expectHeadline(page, r);
    await expectIncidents(page, r);
    await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");

    // A plain GET form: the server sends it on to the week.
    const input = page.getByLabel("Week", { exact: true });
    await input.fill(r.prev);
    await expect(input).toHaveValue(r.prev);
    await page.getByRole("button", { name: "Go", exact: true }).click();
    await expectReportOf(page, r.prev);
    await expectHeadline(page, before);

    // And the week links are plain links.
    await page.getByRole("navigation", { name: NAV }).getByRole("link", { name: `${before.next} →`, exact: true }).click();
    await expectReportOf(page, r.week);
    await expectHeadline(page, r);
  });
});
