// The web client's journeys in a real Chromium (Debian's /usr/bin/chromium), checked by
// axe-core on every page, with screenshots at 375×812 and 1280×800.
//   node journeys.mjs <base URL> <screenshot directory> [before|after]
// "before" (the default) runs the journeys up to a proposal deadline; the test then moves the
// server's clock past it and runs "after". What "after" needs from "before" (the project's id)
// is kept in <screenshot directory>/state.json. Prints one line per journey; exits non-zero on
// the first failure.
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import assert from "node:assert/strict";

const [base, shots, phase = "before"] = process.argv.slice(2);
const statePath = `${shots}/state.json`;
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
  // And on the narrowest phones the issue names: 360 px.
  await page.setViewportSize({ width: 360, height: 740 });
  const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(narrow <= 360, `${name} is ${narrow}px wide at 360px`);
  await page.setViewportSize(sizes.desktop);
}

// Signs in through the form (a new browser context each time: its own cookies).
async function signIn(email, password, locale = "en-GB") {
  const ctx = await context({ locale });
  const page = await ctx.newPage();
  await page.goto(`${base}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
  return { ctx, page };
}

// Clicks the commitment's "Verify" and returns what the page then says.
async function verifyCommitment(box) {
  await box.getByRole("button", { name: "Verify commitment" }).click();
  const out = box.locator("output");
  await out.filter({ hasText: /match/ }).waitFor();
  return out.innerText();
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

  // A liaison creates an organisation, invites a person (code shown once), verifies it; the
  // invited person joins with the link and is signed in as its investor.
  async "a liaison's create → invite → verify"() {
    const { ctx, page } = await signIn("liaison@nl-embassy.demo", "embassy-nl-demo");
    await page.getByRole("link", { name: "My embassy" }).click();
    await page.waitForURL(`${base}/embassy`);
    await check(page, "embassy");
    // A mistake first: the API's error shows as a sentence by the field it names.
    await page.getByLabel("Name", { exact: true }).fill("Utrecht Smart Mobility");
    await page.getByLabel("Description").fill("Invests in bus rapid transit and cycling networks.");
    await page.getByLabel("Website").fill("ftp://utrecht.example");
    await page.getByRole("button", { name: "Create organisation" }).click();
    const err = page.locator("#website-error");
    assert.match(await err.innerText(), /not valid/, "the website's error by its field");
    assert.ok(!(await page.content()).includes("\"extensions\""), "no raw JSON");
    await page.getByLabel("Website").fill("https://utrecht.example");
    await page.locator("#sectors").getByLabel("Transport").check();
    await page.locator("#dimensions").getByLabel("Smart living").check();
    await page.locator("#financing").getByLabel("Public-private partnership").check();
    await page.getByRole("button", { name: "Create organisation" }).click();
    await page.waitForURL(/done=created/);
    const org = page.locator(".hit", { hasText: "Utrecht Smart Mobility" });
    assert.match(await org.innerText(), /Awaiting verification/);
    await org.getByLabel("Invite by email").fill("ria@utrecht.example");
    await org.getByRole("button", { name: "Send invitation" }).click();
    const code = await page.locator("#invite-code").innerText();
    const link = await page.locator("#invite-link").getAttribute("href");
    assert.ok(code.length >= 16, "the code is shown");
    assert.ok(link.includes(encodeURIComponent(code)) || link.includes(code), "and the link");
    await check(page, "embassy-invited");
    await page.goto(`${base}/embassy`);
    assert.equal(await page.locator("#invite-code").count(), 0, "shown only once");
    assert.ok(!(await page.content()).includes(code));
    await page.locator(".hit", { hasText: "Utrecht Smart Mobility" }).getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(/done=verified/);
    assert.match(await page.locator(".hit", { hasText: "Utrecht Smart Mobility" }).innerText(), /Verified/);
    await ctx.close();
    // The invited person follows the link.
    const joiner = await context({ locale: "en-GB" });
    const jp = await joiner.newPage();
    await jp.goto(link.replace(/^https?:\/\/[^/]+/, base));
    await check(jp, "join");
    assert.equal(await jp.getByLabel("Invitation code").inputValue(), code);
    await jp.getByLabel("Your name").fill("Ria de Vries");
    await jp.getByLabel("Password").fill("utrecht-mobility-1");
    await jp.getByRole("button", { name: "Join" }).click();
    await jp.waitForURL(`${base}/recommended`);
    assert.match(await jp.locator("header").innerText(), /Signed in as Ria de Vries/);
    assert.match(await jp.locator("h1").innerText(), /Recommended projects/);
    await joiner.close();
  },

  // A city official balances the masterplan, creates a project and publishes it.
  async "a city official's masterplan and publish"() {
    const { ctx, page } = await signIn("walikota@ambon.demo", "ambon-city-demo");
    await page.getByRole("link", { name: "My city" }).click();
    await page.waitForURL(`${base}/city`);
    await check(page, "city");
    // The weights no longer sum to 1: the page says so, and scales them on saving.
    const economy = page.getByLabel("Smart economy: weight");
    await economy.fill(String(Number(await economy.inputValue()) + 0.1));
    assert.match(await page.locator(".sum").innerText(), /add up to 1\.100/);
    await page.getByRole("button", { name: "Save masterplan" }).click();
    await page.waitForURL(/done=masterplan/);
    const weights = await page.locator("input.weight").evaluateAll((xs) => xs.reduce((s, x) => s + (Number(x.value) || 0), 0));
    assert.ok(Math.abs(weights - 1) < 0.0015, `the saved weights sum to 1 (${weights})`);
    await page.getByRole("link", { name: "New project" }).click();
    await page.waitForURL(`${base}/city/projects/new`);
    await check(page, "project-form");
    await page.getByLabel("Title").fill("Ambon smart harbour lighting");
    await page.getByLabel("Summary (one sentence)").fill("Solar LED lighting and sensors for the harbour quays.");
    await page.getByLabel("Description").fill("Replace 400 sodium lamps on the quays with solar LED fittings and motion sensors.");
    await page.locator("#dimensions").getByLabel("Smart environment").check();
    await page.getByLabel("Sector").selectOption("ENERGY");
    await page.getByLabel("Capex").fill("30000000000");
    await page.locator("#financing").getByLabel("Public-private partnership").check();
    await page.getByLabel("Timeline (months)").fill("18");
    // Three days from now, in the city's own time (WIT).
    const local = new Intl.DateTimeFormat("sv-SE", {
      timeZone: "Asia/Jayapura", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit",
    }).format(new Date(Date.now() + 3 * 86400e3)).replace(" ", "T");
    await page.getByLabel("Proposal deadline").fill(local);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(/done=created/);
    const id = page.url().match(/projects\/([^/?]+)/)[1];
    assert.match(await page.locator("main").innerText(), /Status: Draft/);
    assert.equal(await page.getByLabel("Proposal deadline").inputValue(), local, "the deadline in the city's time");
    await page.getByRole("button", { name: "Publish" }).click();
    await page.waitForURL(/done=published/);
    assert.match(await page.locator("main").innerText(), /Status: Open for proposals/);
    // Closing a sealed project before its deadline is refused, in words.
    await page.getByRole("button", { name: "Close to proposals" }).click();
    assert.match(await page.locator(".error").innerText(), /sealed until the deadline/);
    writeFileSync(statePath, JSON.stringify({ project: id }));
    await ctx.close();
  },

  // An investor drafts (the live score shows), submits, and checks the commitment in the
  // browser; a changed content does not match.
  async "an investor's draft → submit → verify"() {
    const { project } = JSON.parse(readFileSync(statePath, "utf8"));
    const { ctx, page } = await signIn("investor@deltawater.demo", "investor-nl-demo");
    await page.goto(`${base}/projects/${project}/proposal`);
    assert.match(await page.locator("main").innerText(), /Sealed bidding: until the deadline only your organisation/);
    await check(page, "proposal-form");
    await page.getByLabel("Amount offered").fill("0");
    await page.getByLabel("Currency").selectOption("IDR");
    await page.getByLabel("Financing model").selectOption("PPP");
    await page.getByLabel("Timeline (months)").fill("16");
    await page.getByLabel("Local content (%)").fill("45");
    await page.getByLabel("Approach").fill("Solar LED fittings with motion sensors, installed by a local contractor.");
    await page.getByRole("button", { name: "Save draft" }).click();
    assert.match(await page.locator("#amount-error").innerText(), /not valid/, "the API's error, by its field");
    assert.equal(await page.getByLabel("Approach").inputValue(), "Solar LED fittings with motion sensors, installed by a local contractor.", "nothing typed is lost");
    await page.getByLabel("Amount offered").fill("28000000000");
    await page.getByLabel("Local content (%)").fill("45");
    await page.locator("#contributions").getByLabel("Smart environment").fill("0.9");
    await page.getByLabel("Approach").fill("Solar LED fittings with motion sensors, installed by a local contractor.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForURL(/done=saved/);
    assert.match(await page.locator("main").innerText(), /Status: Draft/);
    const score = page.locator(".score");
    assert.match(await score.innerText(), /Match score: \d+\/100/, "the live score once saved");
    assert.match(await score.innerText(), /Budget fit/);
    assert.match(await score.innerText(), /Offers \d+% of the capex estimate/, "each component's sentence");
    await check(page, "proposal-draft");
    // In Indonesian, the service's own sentences too.
    await page.getByRole("link", { name: "Bahasa Indonesia" }).click();
    assert.match(await page.locator(".score").innerText(), /Menawarkan \d+% dari perkiraan capex/);
    assert.match(await page.locator(".score").innerText(), /Kesesuaian anggaran/);
    await page.getByRole("link", { name: "English" }).click();
    await page.getByRole("button", { name: "Submit proposal" }).click();
    await page.waitForURL(/done=submitted/);
    assert.match(await page.locator("main").innerText(), /Status: Submitted/);
    await page.getByRole("link", { name: "My proposals" }).click();
    const mine = page.locator(".hit", { hasText: "Ambon smart harbour lighting" });
    assert.match(await mine.innerText(), /Submitted/);
    assert.match(await verifyCommitment(mine), /The commitment matches/);
    // Change one opened value: the browser's own hash no longer agrees.
    await mine.locator("[data-commitment]").evaluate((el) => { el.dataset.amount = "27000000000"; });
    assert.match(await verifyCommitment(mine), /does not match/);
    await check(page, "proposals");
    await ctx.close();
  },

  // Match-making: an investor asks a city for a meeting; the city reads it in its inbox and
  // accepts; the investor's agenda of a past event links its calendar feed.
  async "meeting requests, the inbox and the agenda"() {
    const inv = await signIn("investor@kyotosound.demo", "investor-jp-demo");
    await inv.page.getByRole("link", { name: "Events", exact: true }).click();
    await inv.page.waitForURL(`${base}/events`);
    await check(inv.page, "events");
    await inv.page.getByRole("link", { name: /Ambon City of Music/ }).click();
    await inv.page.waitForURL(/\/events\//);
    const event = inv.page.url();
    assert.match(await inv.page.locator("main").innerText(), /Your registration/);
    const semarang = inv.page.locator(".hit", { hasText: "Semarang" }).filter({ has: inv.page.getByRole("button", { name: "Request a meeting" }) });
    await semarang.getByLabel("Your message").fill("Kyoto Sound would like to hear about the Kota Lama cultural district.");
    await semarang.getByRole("button", { name: "Request a meeting" }).click();
    await inv.page.waitForURL(/done=requested/);
    const sent = inv.page.locator(".request", { hasText: "Kota Lama cultural district" });
    assert.match(await sent.innerText(), /Awaiting an answer/);
    await check(inv.page, "event");
    const city = await signIn("bappeda@semarang.demo", "semarang-city-demo");
    const nav = city.page.getByRole("link", { name: /Notifications \(\d+ new\)/ });
    await nav.click();
    await city.page.waitForURL(`${base}/notifications`);
    assert.match(await city.page.locator("main").innerText(), /Meeting requested/);
    await check(city.page, "notifications");
    await city.page.getByRole("button", { name: "Mark all as read" }).click();
    await city.page.waitForURL(`${base}/notifications`);
    assert.match(await city.page.locator("main").innerText(), /0 unread/);
    await city.page.goto(event);
    const received = city.page.locator(".request", { hasText: "Kota Lama cultural district" });
    await received.getByRole("button", { name: "Accept" }).click();
    await city.page.waitForURL(/done=accepted/);
    assert.match(await city.page.locator(".request", { hasText: "Kota Lama cultural district" }).innerText(), /Accepted/);
    await city.ctx.close();
    await inv.page.goto(`${base}/events`);
    await inv.page.getByRole("link", { name: /Semarang Smart Mobility/ }).click();
    const agenda = inv.page.locator(".agenda");
    assert.ok((await agenda.count()) >= 1, "the past event's meetings");
    assert.match(await agenda.first().innerText(), /Table \d+/);
    assert.match(await inv.page.locator("main").innerText(), /WIB/, "in the event's time");
    assert.ok(await inv.page.getByRole("link", { name: /calendar feed/ }).count() === 1);
    await check(inv.page, "agenda");
    await inv.ctx.close();
  },

  // GraphiQL works offline: its bundles come from this server, and it runs a query.
  async "GraphiQL from our own origin"() {
    const ctx = await context();
    const page = await ctx.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    const res = await page.goto(`${base}/graphql`);
    assert.equal(res.status(), 200, "GraphiQL's bundles are installed");
    await page.locator(".graphiql-container").waitFor();
    await page.locator(".graphiql-execute-button").click();
    await page.locator(".result-window").filter({ hasText: "totalCount" }).waitFor();
    assert.match(await page.locator(".result-window").innerText(), /"name": "Ambon"|"name":/);
    assert.deepEqual(errors, [], "no errors (a CSP refusal would be one)");
    await page.screenshot({ path: `${shots}/graphiql-desktop.png` });
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

// After the deadline (the test moved the server's clock): the city opens the proposals.
const after = {
  async "a city official's ranked proposals → award"() {
    const { project } = JSON.parse(readFileSync(statePath, "utf8"));
    const { ctx, page } = await signIn("walikota@ambon.demo", "ambon-city-demo");
    await page.goto(`${base}/city/projects/${project}/proposals`);
    const first = page.locator(".hit").first();
    assert.match(await first.innerText(), /Delta Water Partners/);
    assert.match(await first.innerText(), /Match score: \d+\/100/);
    assert.match(await first.innerText(), /Solar LED fittings/, "the opened approach");
    assert.match(await verifyCommitment(first), /The commitment matches/, "the city checks the seal");
    await check(page, "ranked");
    await first.getByRole("button", { name: "Award the project" }).click();
    await page.waitForURL(/done=awarded/);
    assert.match(await page.locator(".hit").first().innerText(), /Accepted/);
    await page.goto(`${base}/city/projects/${project}`);
    assert.match(await page.locator("main").innerText(), /Status: Awarded/);
    await ctx.close();
  },
};

let failed = false;
for (const [name, run] of Object.entries(phase === "after" ? after : journeys)) {
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
