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
