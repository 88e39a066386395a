// live.test.mjs — new mail appears in an open mailbox without a reload, in
// Debian's chromium (playwright-core), against the running stack: the page's
// EventSource gets the IMAP IDLE news, the list is fetched again and swapped.
// Mail is delivered by the test over LMTP and expunged from a separate IMAP
// connection (Python's smtplib/imaplib, as a second mail client would).
// Prints "ok - …"/"not ok - …" lines; exits non-zero on any failure.
import { assert, check, failed, launch } from "./lib.mjs";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const base = process.env.BASE_URL || "http://127.0.0.1:18090";
const out = process.env.SHOT_DIR || "build/test-output";
const mailBase = Number(process.env.MAIL_PORT_BASE || 21000);
const runDir = process.env.RUN_DIR;
const user = "nopop@example.test";   // IMAP on; nobody else's test reads it
mkdirSync(out, { recursive: true });

// Runs a few lines of Python with the stack's ports; returns stdout.
function py(code) {
  const r = spawnSync("python3", ["-c", code], {
    encoding: "utf8",
    env: { ...process.env, LMTP_PORT: String(mailBase + 24), IMAPS_PORT: String(mailBase + 993),
           CA: `${runDir}/ca/ca.pem`, MAILUSER: user },
  });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return r.stdout;
}
const deliver = (subject) => py(`
import os, smtplib
lm = smtplib.LMTP("127.0.0.1", int(os.environ["LMTP_PORT"]))
lm.sendmail("sender@example.org", [os.environ["MAILUSER"]],
            ("From: Live Sender <sender@example.org>\\r\\nTo: %s\\r\\nSubject: ${subject}\\r\\n\\r\\nhi\\r\\n"
             % os.environ["MAILUSER"]).encode())
lm.quit()`);
const expunge = (subject) => py(`
import os, ssl, imaplib
ctx = ssl.create_default_context(cafile=os.environ["CA"]); ctx.check_hostname = False
m = imaplib.IMAP4_SSL("127.0.0.1", int(os.environ["IMAPS_PORT"]), ssl_context=ctx)
m.login(os.environ["MAILUSER"], "wonderland"); m.select("INBOX")
typ, d = m.search(None, '(SUBJECT "${subject}")')
for n in d[0].split(): m.store(n, "+FLAGS", "\\\\Deleted")
m.expunge(); print(len(d[0].split())); m.logout()`);

const browser = await launch();
try {
  await check("live: a delivered message appears in the open list within 2 s, an expunged one goes", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    const errs = [];
    p.on("console", (m) => { if (m.type() === "error") errs.push(m.text()); });
    await p.goto(`${base}/login`);
    await p.fill("#user", user);
    await p.fill("#password", "wonderland");
    await Promise.all([p.waitForURL(`${base}/mail/`), p.click("button[type=submit]")]);
    await p.waitForSelector("section.list[data-live=on]", { timeout: 5000 });
    const rowsBefore = await p.locator("table.messages tbody tr").count();
    const subject = `Browser live ${Date.now()}`;
    const t0 = Date.now();
    deliver(subject);
    await p.waitForSelector(`td.subject:has-text("${subject}")`, { timeout: 2000 });
    const took = Date.now() - t0;
    console.log(`# delivery to row on screen: ${took} ms`);
    const row = p.locator("table.messages tbody tr", { hasText: subject });
    assert(await row.evaluate((tr) => tr.classList.contains("new") && tr.classList.contains("unread")),
      "the new row is marked new and unread");
    assert((await p.locator("table.messages tbody tr").count()) === rowsBefore + 1, "one more row");
    const count = await p.locator("nav.folders a[aria-current=page] .count").textContent();
    assert(Number(count) >= 1, `Inbox unread count shown: ${count}`);
    assert((await p.locator(".live-note").textContent()).includes("new message"), "announced");
    assert(p.url() === `${base}/mail/`, "no navigation happened");
    await p.screenshot({ path: `${out}/live.png` });
    const n = expunge(subject);
    assert(n.trim() === "1", `expunged ${n}`);
    await p.waitForSelector(`td.subject:has-text("${subject}")`, { state: "detached", timeout: 2000 });
    assert((await p.locator("table.messages tbody tr").count()) === rowsBefore, "row gone");
    assert(errs.length === 0, `console errors: ${errs}`);
    await ctx.close();
  });
} finally {
  await browser.close();
}
process.exit(failed() ? 1 : 0);
