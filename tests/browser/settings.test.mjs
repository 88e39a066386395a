// settings.test.mjs — Debian's chromium (driven by playwright-core) loads
// the settings page from the running stack, as a user would.
// Prints "ok - …"/"not ok - …" lines; exits non-zero on any failure.
import { assert, check, failed, launch } from "./lib.mjs";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

const base = process.env.BASE_URL || "http://127.0.0.1:18090";
const out = process.env.SHOT_DIR || "build/test-output";
mkdirSync(out, { recursive: true });



const browser = await launch();

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") problems.push(m.text()); });
  page.on("pageerror", (e) => problems.push(String(e)));

  await check("settings page loads with IMAP4, POP3 and SMTP rows", async () => {
    const resp = await page.goto(`${base}/settings`);
    assert(resp.status() === 200, `status ${resp.status()}`);
    assert((await page.title()).includes("Settings for POP or IMAP access"), "title");
    for (const proto of ["imap", "pop3", "smtp"]) {
      const rows = await page.locator(`tr[data-proto="${proto}"]`).count();
      assert(rows >= 1, `no ${proto} rows`);
    }
    const imapHost = await page.locator('tr[data-proto="imap"] code').first().textContent();
    // the demo advertises localhost inside (it works on this machine) and
    // mail.example.test outside (what a real deployment would publish)
    assert(imapHost === "localhost", `imap host ${imapHost}`);
    const outside = await page.locator('section[data-side="external"] tr[data-proto="imap"] code').first().textContent();
    assert(outside === "mail.example.test", `external imap host ${outside}`);
    await page.screenshot({ path: `${out}/settings-desktop.png`, fullPage: true });
  });

  await check("no console errors or CSP violations", async () => {
    assert(problems.length === 0, `console: ${problems.join(" | ")}`);
  });

  await check("copy buttons appear with JavaScript and copy the value", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    const button = page.locator('tr[data-proto="imap"] button.copy').first();
    assert(await button.isVisible(), "copy button hidden");
    const value = await button.getAttribute("data-copy");
    await button.click();
    // the clipboard API is asynchronous; the label reverts after 1.5 s
    await page.waitForFunction(
      () => document.querySelector('tr[data-proto="imap"] button.copy').textContent === "Copied",
      null, { timeout: 1400 });
    const pasted = await page.evaluate(() => navigator.clipboard.readText());
    assert(pasted === value, `clipboard holds ${pasted}, want ${value}`);
  });

  await check("readable on a phone (no horizontal scroll at 375px)", async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
    const p = await phone.newPage();
    await p.goto(`${base}/settings`);
    const wide = await p.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 380, `page is ${wide}px wide`);
    await p.screenshot({ path: `${out}/settings-phone.png`, fullPage: true });
    await phone.close();
  });

  await check("works without JavaScript: tables shown, copy buttons stay hidden", async () => {
    const nojs = await browser.newContext({ javaScriptEnabled: false });
    const p = await nojs.newPage();
    await p.goto(`${base}/settings?view=both`);
    assert((await p.locator("tr[data-proto]").count()) >= 6, "rows without JS");
    assert(!(await p.locator("button.copy").first().isVisible()), "copy button visible without JS");
    await nojs.close();
  });

  await check("keyboard: skip link first, headings in order, tables have headers", async () => {
    await page.goto(`${base}/settings`);
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
    assert(focused === "Skip to content", `first tab stop: ${focused}`);
    const h1 = await page.locator("h1").count();
    assert(h1 === 1, `${h1} h1 elements`);
    const ths = await page.locator("table.endpoints th[scope=col]").count();
    assert(ths >= 3, "column headers");
  });

  await check("sign in as alice, see personal settings, sign out", async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const errs = [];
    p.on("console", (m) => { if (m.type() === "error") errs.push(m.text()); });
    await p.goto(`${base}/login`);
    await p.fill("#user", "alice@example.test");
    await p.fill("#password", "wonderland");
    await Promise.all([p.waitForURL(`${base}/mail/`), p.click("button[type=submit]")]);
    await Promise.all([p.waitForURL(`${base}/account/settings`), p.click("header.site a:text('Your settings')")]);
    assert((await p.locator(".you strong").first().textContent()) === "alice@example.test", "signed-in name");
    await p.screenshot({ path: `${out}/account-settings.png`, fullPage: false });
    await Promise.all([p.waitForURL(`${base}/account/check`), p.click("form[action='/account/check'] button")]);
    const passes = await p.locator("section.check.pass").count();
    assert(passes === 6, `${passes} working endpoints inside the network, want 6`);
    await p.screenshot({ path: `${out}/check.png`, fullPage: true });
    await p.goto(`${base}/account/settings`);
    await Promise.all([p.waitForURL(`${base}/login`), p.click("form[action='/logout'] button")]);
    await p.goto(`${base}/account/settings`);
    assert(p.url() === `${base}/login`, `after sign-out: ${p.url()}`);
    assert(errs.length === 0, `console: ${errs.join(" | ")}`);
    await ctx.close();
  });

  await check("a wrong password shows the message on the form", async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${base}/login`);
    await p.fill("#user", "alice@example.test");
    await p.fill("#password", "nope");
    await Promise.all([p.waitForLoadState(), p.click("button[type=submit]")]);
    assert((await p.locator(".problem").textContent()) === "Wrong user name or password.", "message");
    assert((await p.inputValue("#user")) === "alice@example.test", "user name kept");
    await ctx.close();
  });

  // The QR code is read back from a screenshot with zbarimg (zbar-tools),
  // as a phone's camera would.
  const readQr = async (p, file) => {
    const qr = p.locator(".qr-code svg");
    assert(await qr.isVisible(), "QR code not visible");
    const box = await qr.boundingBox();
    assert(box.width >= 120 && Math.abs(box.width - box.height) < 1, `QR code is ${box.width}x${box.height}px`);
    await qr.screenshot({ path: file });
    return execFileSync("zbarimg", ["--raw", "-q", file], { stdio: ["ignore", "pipe", "ignore"] })
      .toString().split("\n")[0].trim();
  };
  // Clicks a profile link and returns the downloaded file's name and text.
  const download = async (p, selector) => {
    const [dl] = await Promise.all([p.waitForEvent("download"), p.click(selector)]);
    return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), "utf8") };
  };

  await check("set up automatically: QR code of the profile's address, and the download link gives the profile", async () => {
    await page.goto(`${base}/settings`);
    const decoded = await readQr(page, `${out}/settings-qr.png`);
    assert(decoded === `${base}/profile.mobileconfig`, `QR code reads ${decoded}`);
    const { name, text } = await download(page, "a.download");
    assert(name === "example.test.mobileconfig", `file name ${name}`);
    assert(text.startsWith("<?xml") && text.includes("<string>com.apple.mail.managed</string>"), "not a mail profile");
    // the profile holds the server the page says it holds
    const inHost = await page.locator(".setup .note code").nth(0).textContent();
    const inPort = await page.locator(".setup .note code").nth(1).textContent();
    const value = (key) => (text.match(new RegExp(`<key>${key}</key>\\s*<\\w+>([^<]*)<`)) || [])[1];
    assert(value("IncomingMailServerHostName") === inHost, `incoming host ${inHost}`);
    assert(value("IncomingMailServerPortNumber") === inPort, `incoming port ${inPort}`);
    assert(!text.includes("<key>EmailAddress</key>"), "an address in the profile for nobody in particular");
    const pop = await download(page, "a.download-pop");
    assert(pop.text.includes("<string>EmailTypePOP</string>"), "POP3 link gives no POP account");
    const tb = await page.request.get(`${base}${await page.getAttribute(".setup a[href^='/mail/config']", "href")}`);
    assert(tb.ok() && (await tb.text()).includes("<clientConfig version=\"1.1\">"), "Thunderbird's file");
    await page.locator(".setup").screenshot({ path: `${out}/settings-setup.png` });
  });

  await check("signed in: the QR code and the link name alice, and her profile carries her address", async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.goto(`${base}/login`);
    await p.fill("#user", "alice@example.test");
    await p.fill("#password", "wonderland");
    await Promise.all([p.waitForURL(`${base}/mail/`), p.click("button[type=submit]")]);
    await p.goto(`${base}/account/settings`);
    const decoded = await readQr(p, `${out}/account-qr.png`);
    assert(decoded === `${base}/profile.mobileconfig?emailaddress=alice@example.test`, `QR code reads ${decoded}`);
    const { text } = await download(p, "a.download");
    assert(/<key>EmailAddress<\/key>\s*<string>alice@example\.test<\/string>/.test(text), "alice's address");
    // what the phone would fetch, without her cookie, is the same profile
    const phone = await browser.newContext();
    const fetched = await phone.request.get(decoded);
    assert(fetched.ok() && (await fetched.text()) === text, "the QR code's address gives another profile");
    await phone.close();
    await ctx.close();
  });

  await check("unknown page shows a readable 404", async () => {
    const resp = await page.goto(`${base}/does-not-exist`);
    assert(resp.status() === 404, `status ${resp.status()}`);
    assert((await page.locator("h1").textContent()) === "Page not found", "404 heading");
  });
} finally {
  await browser.close();
}
process.exit(failed() ? 1 : 0);
