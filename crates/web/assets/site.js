// Sinergi's only script, progressive enhancement: every page works without it.
// 1. Times marked <time data-local> also show in the viewer's own time zone.
// 2. Facet checkboxes apply as soon as they change.
const lang = document.documentElement.lang === "id" ? "id-ID" : "en-GB";
for (const el of document.querySelectorAll("time[data-local]")) {
  const at = new Date(el.getAttribute("datetime"));
  if (Number.isNaN(at.getTime())) continue;
  const text = new Intl.DateTimeFormat(lang, {
    day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  }).format(at);
  const label = el.dataset.local.replace("{time}", text);
  const out = document.createElement("span");
  out.className = "yours";
  out.textContent = label;
  el.after(out);
}
const filters = document.querySelector("form[data-autosubmit]");
if (filters) {
  for (const box of filters.querySelectorAll("input[type=checkbox], select")) {
    box.addEventListener("change", () => filters.requestSubmit());
  }
}
// 3. A proposal's commitment, recomputed here from its opened content and salt (DESIGN.md's
//    layout, Web Crypto SHA-256), so nobody has to trust the server's word for it.
const ORDER = ["GOVERNANCE", "BRANDING", "ECONOMY", "LIVING", "SOCIETY", "ENVIRONMENT"];
const plain = (a) => {
  let s = String(a).trim();
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s;
};
for (const box of document.querySelectorAll("[data-commitment]")) {
  const button = box.querySelector("button");
  const out = box.querySelector("output");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const d = box.dataset;
    if (!globalThis.crypto || !crypto.subtle) { out.textContent = d.insecure; return; }
    const contrib = d.contrib ? d.contrib.split(";").map((c) => c.split("=")) : [];
    contrib.sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
    const lines = [
      d.salt, "v1",
      `amount:${plain(d.amount)}`,
      `currency:${d.currency.toUpperCase()}`,
      `financing:${d.financing}`,
      `timeline:${d.timeline}`,
      `local:${Number(d.local).toFixed(2)}`,
      ...contrib.map(([dim, s]) => `contrib:${dim}=${Number(s).toFixed(4)}`),
      `approach:${d.approach}`,
    ];
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(lines.join("\n")));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const ok = hex === d.commitment;
    out.textContent = ok ? d.ok : d.bad;
    out.className = ok ? "good" : "error";
  });
}
// 4. The masterplan's weights: their sum shown as they change, and scaled to 1 on saving.
const weights = document.querySelector("[data-weights]");
if (weights) {
  const inputs = [...weights.querySelectorAll("input.weight")];
  const sumOut = weights.querySelector(".sum");
  const total = () => inputs.reduce((s, i) => s + (Number(i.value) || 0), 0);
  const show = () => {
    const s = total();
    sumOut.textContent = Math.abs(s - 1) <= 0.001
      ? weights.dataset.balanced
      : weights.dataset.sum.replace("{sum}", s.toFixed(3));
  };
  for (const i of inputs) i.addEventListener("input", show);
  show();
  weights.closest("form").addEventListener("submit", () => {
    const s = total();
    if (s <= 0 || Math.abs(s - 1) <= 0.001) return;
    const given = inputs.filter((i) => i.value !== "");
    let left = 1;
    given.forEach((i, n) => {
      const w = n === given.length - 1 ? left : Math.round((Number(i.value) / s) * 1000) / 1000;
      i.value = String(Math.max(0, Math.round(w * 1000) / 1000));
      left -= Number(i.value);
    });
  });
}
