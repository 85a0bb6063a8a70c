import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { hydrated, signIn } from "./session";

// Personal API tokens end to end: made on the account page (the secret shown once), used by
// a script through the REST API (Playwright's `request` fixture: no cookies, no Origin),
// the use noted on the account page, then revoked, after which the API refuses the token.
// Every test makes its own tokens, so none depends on the order of the other spec files.

/** A name no other run or test uses. */
function unique(what: string): string {
  return `${what} ${Date.now()}-${Math.floor(Math.random() * 1000)}`;
}

const SECRET = /^amends_[0-9a-f]{64}$/;

/** Make a token on the account page; returns its secret, read from "Your new token". */
async function createToken(page: Page, name: string, scope: "read" | "write"): Promise<string> {
  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "API tokens", level: 2 })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Scope", { exact: true }).selectOption(scope);
  await page.getByRole("button", { name: "Create token" }).click();
  const notice = page.getByRole("status").filter({ hasText: `Token “${name}” created.` });
  await expect(notice).toContainText("Copy it now: it is not shown again.");
  const field = page.getByLabel("Your new token");
  await expect(field).toHaveValue(SECRET);
  await expect(field).not.toBeEditable();
  return field.inputValue();
}

/** The token's line in "Your tokens" (admins also see "Everyone's tokens"; not that one). */
function tokenRow(page: Page, name: string, secret: string) {
  const table = page.getByRole("table", { name: "Your API tokens" });
  const header = page.getByRole("rowheader", { name: `${name} (…${secret.slice(-4)})`, exact: true });
  return table.getByRole("row").filter({ has: header });
}

function cell(row: ReturnType<typeof tokenRow>, column: string) {
  return row.locator(`td[data-label="${column}"]`);
}

function bearer(secret: string) {
  return { Authorization: `Bearer ${secret}` };
}

async function expectProblem(res: APIResponse, status: number) {
  expect(res.status(), await res.text()).toBe(status);
  expect(res.headers()["content-type"]).toContain("application/problem+json");
}

test("a write token logs a reply through the API, its use shows, and once revoked it is refused", async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page);

  // Make the token; its secret is shown once.
  const name = unique("e2e script");
  const secret = await createToken(page, name, "write");
  const row = tokenRow(page, name, secret);
  await expect(row).toBeVisible();
  await expect(cell(row, "Scope")).toHaveText("write");
  await expect(cell(row, "Last used")).toHaveText("never");
  await expect(cell(row, "Expires")).toHaveText("never");
  await expect(row.getByRole("button", { name: `Revoke ${name}`, exact: true })).toBeVisible();

  // A script logs a reply with it (demo data, seed 42: CUS-000001 exists); VADER scores it.
  const body = `Thank you, the credit was a lovely surprise! ${unique("e2e")}`;
  const created = await request.post("/api/v1/replies", {
    headers: bearer(secret),
    data: { customer_ref: "CUS-000001", channel: "email", body },
  });
  expect(created.status(), await created.text()).toBe(201);
  const reply = await created.json();
  expect(reply.id).toEqual(expect.any(Number));
  expect(reply.body).toBe(body);
  expect(reply.customer_name).toEqual(expect.any(String));
  expect(reply.sentiment.label).toBe("positive");
  expect(reply.sentiment.auto).toBeGreaterThan(0.05);
  expect(reply.sentiment.effective).toBe(reply.sentiment.auto);

  // The reply is on the replies page (newest first).
  await page.goto("/replies");
  await expect(page.getByRole("heading", { name: "Replies", level: 1 })).toBeVisible();
  const listed = page.locator("li.reply", { hasText: body });
  await expect(listed).toBeVisible();
  await expect(listed.getByText(reply.customer_name, { exact: true })).toBeVisible();

  // The account page, loaded afresh, notes the token's use.
  await page.goto("/account");
  await hydrated(page);
  await expect(row).toBeVisible();
  await expect(cell(row, "Last used")).not.toHaveText("never");
  await expect(cell(row, "Last used")).not.toBeEmpty();

  // Revoke it, behind a confirmation.
  await row.getByRole("button", { name: `Revoke ${name}`, exact: true }).click();
  await expect(row.getByText("Scripts using it will stop working.")).toBeVisible();
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(cell(row, "Status")).toHaveText("revoked");
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

  // The script's next call is refused.
  const refused = await request.get(`/api/v1/replies?customer=${reply.customer_id}`, { headers: bearer(secret) });
  await expectProblem(refused, 401);
  expect(errors).toEqual([]);
});

test("a read token can list customers a page at a time but not log a reply", async ({ page, request }) => {
  await signIn(page);
  const name = unique("e2e reader");
  const secret = await createToken(page, name, "read");
  const row = tokenRow(page, name, secret);
  await expect(cell(row, "Scope")).toHaveText("read");

  const listed = await request.get("/api/v1/customers?limit=2", { headers: bearer(secret) });
  expect(listed.status(), await listed.text()).toBe(200);
  const page1 = await listed.json();
  expect(page1.items).toHaveLength(2);
  expect(page1.next_cursor).toEqual(expect.any(String));
  expect(listed.headers()["link"]).toContain('rel="next"');

  const refused = await request.post("/api/v1/replies", {
    headers: bearer(secret),
    data: { customer_ref: "CUS-000001", channel: "email", body: `A read token may not write ${Date.now()}` },
  });
  await expectProblem(refused, 403);
});
