// Reads a Sinergi calendar feed with ical.js (Mozilla's RFC 5545 parser, Thunderbird's) and
// prints its events as JSON: what a calendar app would show. Exits non-zero if it cannot parse.
import ICAL from "ical.js";

const url = process.argv[2];
const res = await fetch(url);
if (!res.ok) {
  console.error(`GET ${url}: ${res.status}`);
  process.exit(2);
}
const text = await res.text();
const cal = new ICAL.Component(ICAL.parse(text));
if (cal.name !== "vcalendar" || cal.getFirstPropertyValue("version") !== "2.0") {
  console.error("not an iCalendar 2.0 object");
  process.exit(3);
}
const events = cal.getAllSubcomponents("vevent").map((c) => {
  const e = new ICAL.Event(c);
  return {
    uid: e.uid,
    start: e.startDate.toJSDate().toISOString(),
    end: e.endDate.toJSDate().toISOString(),
    startIsUtc: e.startDate.zone === ICAL.Timezone.utcTimezone,
    sequence: e.sequence,
    status: c.getFirstPropertyValue("status"),
    summary: e.summary,
    location: e.location,
  };
});
console.log(JSON.stringify(events));
