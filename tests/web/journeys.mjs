// The web client's journeys in a real Chromium (Debian's /usr/bin/chromium), checked by
// axe-core on every page, with screenshots at 375×812 and 1280×800.
//   node journeys.mjs <base URL> <screenshot directory>
// Prints one line per journey; exits non-zero on the first failure.
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";
import assert from "node:assert/strict";

const [base, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const sizes = { phone: { width: 375, height: 812 }, desktop: { width: 1280, height: 800 } };
const thirdParty = [];

async function context(options = {}) {
  const ctx = await browser.newContext({ viewport: sizes.desktop, ...options });
  ctx.on("request", (r) => {
    const u = new URL(r.url());
    if (u.origin !== new URL(base).origin) thirdParty.push(r.url());
  });
  return ctx;
}

// No serious or critical axe-core violation, and a screenshot per size.
async function check(page, name) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `axe-core on ${name}`,
  );
  for (const [size, viewport] of Object.entries(sizes)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${shots}/${name}-${size}.png`, fullPage: size === "phone" });
    // Usable at phone width: nothing wider than the screen.
    if (size === "phone") {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 375, `${name} is ${wide}px wide at 375px`);
    }
  }
  await page.setViewportSize(sizes.desktop);
}

const journeys = {
  // A typo in the search box, a facet, then a project page with its masterplan.
  async "typo search with a facet to a project page"() {
    const ctx = await context({ locale: "en-GB" });
    const page = await ctx.newPage();
    const res = await page.goto(`${base}/`);
    assert.equal(res.status(), 200);
    assert.match(res.headers()["content-security-policy"], /default-src 'self'/);
    assert.equal(await page.getAttribute("html", "lang"), "en", "Accept-Language chose English");
    await check(page, "catalogue");
    await page.getByLabel("Search projects").fill("fish markt");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/q=fish\+markt/);
    const hits = page.locator(".hit h3 a");
    assert.ok((await hits.count()) >= 1, "the typo still finds the fish market");
    assert.match(await hits.first().innerText(), /fish market/i);
    // A facet checkbox applies at once (the script), with its count beside it.
    const facet = page.locator("fieldset", { hasText: "Sector" }).locator("input[type=checkbox]").first();
    await Promise.all([page.waitForURL(/sector=/), facet.check()]);
    assert.ok(await page.locator("fieldset input[type=checkbox]:checked").count() === 1);
    await check(page, "catalogue-search");
    await page.locator(".hit h3 a").first().click();
    await page.waitForURL(/\/projects\//);
    const h1 = await page.locator("h1").innerText();
    assert.match(h1, /fish market/i);
    const facts = await page.locator("dl.facts").innerText();
    assert.match(facts, /IDR [\d,]+|USD [\d,]+|EUR [\d,]+/, "capex in its own currency");
    assert.match(facts, /≈ USD [\d.]+[KMB]?/, "and in USD");
    assert.match(facts, /WI[BTA]|UTC/, "the deadline in the city's time");
    assert.match(facts, /Your time:/, "and the viewer's, by the script");
    assert.match(await page.locator("main").innerText(), /masterplan priorities/);
    await check(page, "project");
    await ctx.close();
  },

  // Indonesian by default for an Indonesian browser; the switch on every page, remembered.
  async "switching language"() {
    const ctx = await context({ locale: "id-ID" });
    const page = await ctx.newPage();
    await page.goto(`${base}/cities`);
    assert.equal(await page.getAttribute("html", "lang"), "id");
    assert.match(await page.locator("h1").innerText(), /Kota peserta program/);
    await check(page, "cities");
    await page.getByRole("link", { name: "English" }).click();
    assert.equal(await page.getAttribute("html", "lang"), "en");
    assert.match(await page.locator("h1").innerText(), /Cities of the programme/);
    await page.goto(`${base}/`);
    assert.equal(await page.getAttribute("html", "lang"), "en", "the choice is remembered");
    await page.getByRole("link", { name: "Bahasa Indonesia" }).click();
    assert.match(await page.locator("h1").innerText(), /Proyek kota cerdas/);
    const money = await page.locator(".hit .meta").first().innerText();
    assert.match(money, /USD [\d,]+ (jt|M|rb)/, "Indonesian short amounts");
    await ctx.close();
  },

  // Browsing and searching with JavaScript off: plain links and a GET form.
  async "JavaScript disabled for browsing"() {
    const ctx = await context({ javaScriptEnabled: false, locale: "en-GB" });
    const page = await ctx.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel("Search projects").fill("street lihgting");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/q=street/);
    assert.match(await page.locator(".hit h3 a").first().innerText(), /street lighting/i);
    await page.goto(`${base}/`);
    const next = page.getByRole("link", { name: "Next page" });
    assert.ok(await next.count() === 1, "paging by links");
    await next.click();
    await page.waitForURL(/after=/);
    assert.ok((await page.locator(".hit").count()) >= 1);
    await page.getByRole("link", { name: "First page" }).click();
    await page.locator(".hit h3 a").first().click();
    await page.waitForURL(/\/projects\//);
    assert.match(await page.locator("dl.facts").innerText(), /Proposal deadline/);
    await ctx.close();
  },

  // Signing in with a wrong password says so by the field; the right one opens a session
  // whose cookies scripts cannot read; signing out ends it.
  async "sign in and out"() {
    const ctx = await context({ locale: "en-GB" });
    const page = await ctx.newPage();
    await page.goto(`${base}/signin`);
    await check(page, "signin");
    await page.getByLabel("Email").fill("walikota@ambon.demo");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    assert.match(await page.locator("#password-error").innerText(), /email or the password is wrong/);
    assert.ok(!(await page.content()).includes("\"errors\""), "no raw JSON");
    await page.getByLabel("Password").fill("ambon-city-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/`);
    assert.match(await page.locator("header").innerText(), /Signed in as/);
    assert.equal(await page.evaluate(() => document.cookie.includes("sinergi_refresh")), false);
    const cookies = await ctx.cookies();
    const refresh = cookies.find((c) => c.name === "sinergi_refresh");
    assert.ok(refresh && refresh.httpOnly && refresh.sameSite === "Strict");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/`);
    assert.match(await page.locator("header").innerText(), /Sign in/);
    // The old refresh token no longer opens a session.
    const again = await context({ locale: "en-GB" });
    await again.addCookies([{ ...refresh, expires: -1 }]);
    const p2 = await again.newPage();
    await p2.goto(`${base}/`);
    assert.match(await p2.locator("header").innerText(), /Sign in/, "signing out revoked it");
    await again.close();
    await ctx.close();
  },
};

let failed = false;
for (const [name, run] of Object.entries(journeys)) {
  try {
    await run();
    console.log(`ok: ${name}`);
  } catch (e) {
    failed = true;
    console.log(`FAILED: ${name}: ${e.stack || e}`);
    break;
  }
}
if (!failed) {
  try {
    assert.deepEqual(thirdParty, [], "no request left the server's origin");
    console.log("ok: no third-party origin");
  } catch (e) {
    failed = true;
    console.log(`FAILED: ${e.message}`);
  }
}
await browser.close();
process.exit(failed ? 1 : 0);
