// lib.mjs — what the browser tests share: TAP-like checks, assertions and
// the Debian chromium they drive (through playwright-core).
import { chromium } from "playwright-core";

let failures = 0;

// Runs fn; prints "ok - name" or "not ok - name" with the error.
export async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failures++;
    console.log(`not ok - ${name}`);
    for (const line of String(e && e.stack || e).split("\n")) console.log(`#   ${line}`);
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function failed() {
  return failures;
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
