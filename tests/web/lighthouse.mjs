// Lighthouse 12 mobile runs (its default: a mid-range phone, simulated slow 4G) in Debian's
// Chromium on the catalogue, a project page and an investor's proposal form (signed in
// through the sign-in form, its cookies passed along).
//   node lighthouse.mjs <base URL> <email> <password> <project id> <report directory>
// Prints each page's scores as JSON lines; exits non-zero if any category is under 95.
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";
import puppeteer from "puppeteer-core";
import { mkdirSync, writeFileSync } from "node:fs";

const [base, email, password, project, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });

// Sign in as a browser would: the CSRF cookie and token from the form, then the POST.
const jar = new Map();
const keep = (r) => {
  for (const c of r.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const i = pair.indexOf("=");
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
};
const cookie = () => [...jar].filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join("; ");
const form = await fetch(`${base}/signin`, { headers: { "accept-language": "en" } });
keep(form);
const csrf = (await form.text()).match(/name="csrf" value="([^"]+)"/)[1];
const signed = await fetch(`${base}/signin`, {
  method: "POST",
  redirect: "manual",
  headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
  body: new URLSearchParams({ csrf, email, password, next: "/" }),
});
keep(signed);
if (signed.status !== 303 || !jar.get("sinergi_access")) throw new Error(`sign-in failed: ${signed.status}`);

const pages = [
  ["catalogue", `${base}/`, false],
  ["project", `${base}/projects/${project}`, false],
  ["proposal-form", `${base}/projects/${project}/proposal`, true],
];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
let failed = false;
try {
  for (const [name, url, signedIn] of pages) {
    if (signedIn) {
      // The session's cookies into the browser's own jar (Lighthouse keeps them when told
      // not to reset storage), as after signing in.
      const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
      const tab = await browser.newPage();
      await tab.setCookie(...[...jar].filter(([, v]) => v).map(([name, value]) => ({ name, value, url: base, httpOnly: true, sameSite: "Strict" })));
      await tab.close();
      await browser.disconnect();
    }
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "html",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices"],
      disableStorageReset: signedIn,
    });
    writeFileSync(`${out}/${name}.html`, result.report);
    const scores = Object.fromEntries(
      Object.entries(result.lhr.categories).map(([k, c]) => [k, Math.round(c.score * 100)]),
    );
    const below = Object.entries(scores).filter(([, s]) => s < 95);
    if (result.lhr.finalDisplayedUrl !== url) below.push(["landed on", result.lhr.finalDisplayedUrl]);
    const failing = Object.values(result.lhr.audits)
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative")
      .map((a) => a.id);
    console.log(JSON.stringify({ page: name, scores, below, failing }));
    if (below.length) failed = true;
  }
} finally {
  await chrome.kill();
}
process.exit(failed ? 1 : 0);
