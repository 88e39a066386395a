// compose.test.mjs — writing mail in Debian's chromium (playwright-core),
// against the running demo stack (Dovecot submission → relay → LMTP):
// compose with an attachment, send, find it in Sent; reply from a message
// page; a draft saved automatically while typing (the page's 30-second
// timer, run on a fake clock), the tab closed, the draft reopened with its
// text and attachment; a session that ends while typing (nothing lost, the
// draft saved once signed in again); Save draft without JavaScript.
// Prints "ok - …"/"not ok - …" lines; exits non-zero on any failure.
import { assert, check, failed, launch } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const base = process.env.BASE_URL || "http://127.0.0.1:18090";
const out = process.env.SHOT_DIR || "build/test-output";
mkdirSync(out, { recursive: true });

const browser = await launch();
const stamp = Date.now().toString(36);

async function signIn(user, options = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const p = await ctx.newPage();
  await p.goto(`${base}/login`);
  await p.fill("#user", user);
  await p.fill("#password", "wonderland");
  await Promise.all([p.waitForURL(`${base}/mail/`), p.click("button[type=submit]")]);
  return { ctx, p };
}

// A folder's page (the demo's folders have plain ASCII names).
async function openFolder(p, name) {
  await p.goto(`${base}/mail/?f=${encodeURIComponent(name)}`);
}

try {
  await check("compose: write with an attachment, send, see it in Sent", async () => {
    const { ctx, p } = await signIn("alice@example.test");
    const errs = [];
    p.on("console", (m) => { if (m.type() === "error") errs.push(m.text()); });
    await p.click("text=Write a message");
    await p.waitForURL(/\/mail\/compose/);
    assert(await p.locator("text=Each file at most").count() === 1, "the size limit is shown up front");
    await p.fill("#to", "Bob <bob@example.test>");
    await p.fill("#subject", `Browser test ${stamp} — Grüße`);
    await p.fill("#body", "Hello Bob,\n\nthe file is attached.\n");
    await p.setInputFiles("#attach", { name: "plan.txt", mimeType: "text/plain", buffer: Buffer.from("the plan\n") });
    await p.screenshot({ path: `${out}/compose.png` });
    await Promise.all([p.waitForLoadState(), p.click("button[value=send]")]);
    await p.locator("#sent-note").waitFor();
    assert(await p.locator("#saved-note").count() === 1, "told: saved to Sent");
    await p.click("text=Open Sent");
    const subjects = await p.locator("td.subject a").allTextContents();
    assert(subjects.some((s) => s.includes(`Browser test ${stamp}`)), `in Sent: ${subjects.slice(0, 5)}`);
    await p.click(`td.subject a:has-text("Browser test ${stamp}")`);
    assert(await p.locator("text=plan.txt").count() >= 1, "the attachment is on the Sent copy");
    assert(errs.length === 0, `console errors: ${errs}`);
    await ctx.close();
  });

  await check("reply: from the message page, quoted, sent, original marked answered", async () => {
    const { ctx, p } = await signIn("bob@example.test");
    await openFolder(p, "INBOX");
    await p.click(`td.subject a:has-text("Browser test ${stamp}")`);
    await Promise.all([p.waitForURL(/mode=reply/), p.click("nav.compose-links a:text-is('Reply')")]);
    const to = await p.inputValue("#to");
    assert(to.includes("alice@example.test"), `To prefilled: ${to}`);
    const subject = await p.inputValue("#subject");
    assert(subject.startsWith("Re: Browser test"), `subject: ${subject}`);
    const body = await p.inputValue("#body");
    assert(body.includes("> Hello Bob,"), "the original is quoted");
    await p.fill("#body", "Thanks, got it.\n" + body);
    await Promise.all([p.waitForLoadState(), p.click("button[value=send]")]);
    await p.locator("#sent-note").waitFor();
    await openFolder(p, "INBOX");
    const row = p.locator(`tr:has(td.subject a:has-text("Browser test ${stamp}"))`).first();
    const html = await row.innerHTML();
    assert(/answered|Answered|replied/i.test(html), `answered mark on the original: ${html.slice(0, 400)}`);
    await ctx.close();
  });

  await check("draft: saved while typing, tab closed, reopened with text and attachment", async () => {
    const { ctx, p } = await signIn("alice@example.test");
    await p.clock.install();
    await p.goto(`${base}/mail/compose`);
    await p.fill("#to", "bob@example.test");
    await p.fill("#subject", `Draft ${stamp}`);
    await p.fill("#body", "Unfinished thoughts, typed and left.\n");
    await p.setInputFiles("#attach", { name: "sketch.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 1, 2, 3, 255]) });
    const saved = p.waitForResponse((r) => r.url().endsWith("/mail/compose") && r.request().method() === "POST");
    await p.clock.runFor(31000);   // the page's autosave timer
    const r = await saved;
    assert(r.status() === 200, `autosave answered ${r.status()}`);
    await p.locator("#autosave-status:text-matches('Draft saved')").waitFor();
    const draft = await p.inputValue("input[name=draft]");
    assert(/^\d+$/.test(draft), `the form now names the draft: ${draft}`);
    assert(await p.locator("#attached >> text=sketch.bin").count() === 1, "the file now lives in the draft");
    await p.close();   // the tab is closed without sending
    const q = await ctx.newPage();
    await openFolder(q, "Drafts");
    await q.click(`td.subject a:has-text("Draft ${stamp}")`);
    await Promise.all([q.waitForURL(/compose\?draft=/), q.click("text=Continue this draft")]);
    assert((await q.inputValue("#subject")) === `Draft ${stamp}`, "subject back");
    assert((await q.inputValue("#body")).includes("Unfinished thoughts"), "text back");
    assert((await q.inputValue("#to")).includes("bob@example.test"), "recipient back");
    assert(await q.locator("#attached >> text=sketch.bin").count() === 1, "attachment back");
    await ctx.close();
  });

  await check("session ended while typing: nothing lost, the draft is saved once signed in again", async () => {
    const { ctx, p } = await signIn("alice@example.test");
    await p.clock.install();
    await p.goto(`${base}/mail/compose`);
    await p.fill("#subject", `Across sessions ${stamp}`);
    await p.fill("#body", "typed while the session ran out");
    await ctx.clearCookies();   // the session is gone (expired, or signed out elsewhere)
    let saved = p.waitForResponse((r) => r.url().endsWith("/mail/compose") && r.request().method() === "POST");
    await p.clock.runFor(31000);
    assert((await saved).status() === 401, "the save was refused: no session");
    await p.locator("#autosave-status:text-matches('session has ended')").waitFor();
    assert((await p.inputValue("#body")) === "typed while the session ran out", "the text is still on the page");
    const q = await ctx.newPage();   // sign in again in another tab
    await q.goto(`${base}/login`);
    await q.fill("#user", "alice@example.test");
    await q.fill("#password", "wonderland");
    await Promise.all([q.waitForURL(`${base}/mail/`), q.click("button[type=submit]")]);
    saved = p.waitForResponse((r) => r.url().endsWith("/mail/compose") && r.request().method() === "POST");
    await p.clock.runFor(31000);
    assert((await saved).status() === 200, "saved with the new session's tokens");
    await p.locator("#autosave-status:text-matches('Draft saved')").waitFor();
    await openFolder(q, "Drafts");
    assert(await q.locator(`td.subject a:has-text("Across sessions ${stamp}")`).count() === 1, "the draft is in Drafts");
    await ctx.close();
  });

  await check("no JavaScript: Save draft keeps the form and names the draft", async () => {
    const { ctx, p } = await signIn("alice@example.test", { javaScriptEnabled: false });
    await p.goto(`${base}/mail/compose`);
    await p.fill("#subject", `NoJS ${stamp}`);
    await p.fill("#body", "typed without scripts");
    await Promise.all([p.waitForLoadState(), p.click("button[value=save]")]);
    await p.locator("#draft-status").waitFor();
    assert((await p.inputValue("#subject")) === `NoJS ${stamp}`, "subject kept");
    assert(/^\d+$/.test(await p.inputValue("input[name=draft]")), "draft named");
    await ctx.close();
  });
} finally {
  await browser.close();
}
process.exit(failed() ? 1 : 0);
