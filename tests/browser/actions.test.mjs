// actions.test.mjs — acting on a selection and managing folders in
// Debian's chromium, without any JavaScript of ours: a person ticks two
// messages in the Inbox, moves them to Archive, undoes it; then creates a
// folder on the folders page and deletes it after the confirmation.
// Prints "ok - …"/"not ok - …" lines; exits non-zero on any failure.
import { assert, check, failed, launch } from "./lib.mjs";

const base = process.env.BASE_URL || "http://127.0.0.1:18090";
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const p = await ctx.newPage();
await p.goto(`${base}/login`);
await p.fill("#user", "alice@example.test");
await p.fill("#password", "wonderland");
await Promise.all([p.waitForURL(`${base}/mail/`), p.click("button[type=submit]")]);

const rowUids = async () => p.$$eval("tr[data-uid]", (rows) => rows.map((r) => r.dataset.uid));

await check("actions: tick two messages, move them to Archive, undo", async () => {
  await p.goto(`${base}/mail/?f=INBOX`);
  const before = await rowUids();
  assert(before.length >= 2, `two messages in the Inbox (${before.length})`);
  const chosen = before.slice(0, 2);
  for (const uid of chosen) await p.check(`input[name=uid][value="${uid}"]`);
  await p.selectOption("#sel-to", "Archive");
  await Promise.all([p.waitForURL(/selection/), p.click("button[name=op][value=move]")]);
  const text = await p.textContent("main");
  assert(text.includes("Moved 2 messages to Archive."), `result page: ${text.slice(0, 300)}`);
  const q = await ctx.newPage();   // the result page stays open in p
  await q.goto(`${base}/mail/?f=INBOX`);
  const after = await q.$$eval("tr[data-uid]", (rows) => rows.map((r) => r.dataset.uid));
  await q.close();
  assert(!after.includes(chosen[0]) && !after.includes(chosen[1]), "gone from the Inbox");
  await Promise.all([p.waitForNavigation(), p.click("button:has-text('Undo')")]);
  const undone = await p.textContent("main");
  assert(undone.includes("2 messages back in Inbox"), `undo: ${undone.slice(0, 300)}`);
  await p.goto(`${base}/mail/?f=INBOX`);
  assert((await rowUids()).length === before.length, "as many messages in the Inbox as before");
});

await check("actions: create a folder and delete it after confirming", async () => {
  const name = `Browser ${Date.now()} ✓`;
  await p.goto(`${base}/mail/folders`);
  await p.fill("#new-name", name);
  await Promise.all([p.waitForURL(/done=created/), p.click("form.create button[type=submit]")]);
  assert((await p.textContent(".flash")).includes("Folder created:"), "flash");
  const row = p.locator("tr", { hasText: name });
  assert((await row.count()) === 1, "listed");
  await Promise.all([p.waitForURL(/folder-action/), row.locator("button:has-text('Delete')").click()]);
  assert((await p.textContent("h1")).includes("Delete the folder"), "asks first");
  await Promise.all([p.waitForURL(/done=deleted/), p.click("button.danger")]);
  assert((await p.textContent(".flash")).includes("Folder deleted:"), "deleted flash");
  assert((await p.locator("tr", { hasText: name }).count()) === 0, "no longer listed");
});

await browser.close();
process.exit(failed() ? 1 : 0);
