/**
 * Dates as a Creator app writes them: its own `date_format` (`dd-MMM-yyyy`, `MM/dd/yyyy`, ...) and time format
 * (`HH:mm:ss` or `hh:mm:ss a`) in its own time zone (notes §1.3, pitfall 4). Only the letters Creator's formats
 * use are understood: yyyy, MMM, MM, dd, HH, hh, mm, ss, a.
 */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const TOKENS = /yyyy|MMM|MM|dd|HH|hh|mm|ss|a/g;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function render(pattern: string, p: Parts): string {
  return pattern.replace(TOKENS, (token) => {
    switch (token) {
      case "yyyy":
        return pad(p.year, 4);
      case "MMM":
        return MONTHS[p.month - 1] ?? "";
      case "MM":
        return pad(p.month);
      case "dd":
        return pad(p.day);
      case "HH":
        return pad(p.hour);
      case "hh":
        return pad(p.hour % 12 === 0 ? 12 : p.hour % 12);
      case "mm":
        return pad(p.minute);
      case "ss":
        return pad(p.second);
      default:
        return p.hour < 12 ? "AM" : "PM";
    }
  });
}

const GROUPS: Record<string, string> = {
  yyyy: "(\\d{4})",
  MMM: "([A-Za-z]{3})",
  MM: "(\\d{2})",
  dd: "(\\d{2})",
  HH: "(\\d{2})",
  hh: "(\\d{2})",
  mm: "(\\d{2})",
  ss: "(\\d{2})",
  a: "(AM|PM|am|pm)",
};

/** Reads `text` written in `pattern`; undefined when it does not match or names an impossible date. */
function parse(pattern: string, text: string): Parts | undefined {
  const order = pattern.match(TOKENS) ?? [];
  const quote = (literal: string) => literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const literals = pattern.split(TOKENS);
  let source = quote(literals[0] ?? "");
  order.forEach((token, i) => {
    source += (GROUPS[token] ?? "") + quote(literals[i + 1] ?? "");
  });
  const match = new RegExp(`^${source}$`).exec(text.trim());
  if (!match) return undefined;
  const p: Parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let pm: boolean | undefined;
  order.forEach((token, i) => {
    const value = match[i + 1] ?? "";
    if (token === "yyyy") p.year = Number(value);
    else if (token === "MMM") p.month = MONTHS.findIndex((m) => m.toLowerCase() === value.toLowerCase()) + 1;
    else if (token === "MM") p.month = Number(value);
    else if (token === "dd") p.day = Number(value);
    else if (token === "HH" || token === "hh") p.hour = Number(value);
    else if (token === "mm") p.minute = Number(value);
    else if (token === "ss") p.second = Number(value);
    else pm = value.toUpperCase() === "PM";
  });
  if (pm !== undefined) {
    if (p.hour < 1 || p.hour > 12) return undefined;
    p.hour = (p.hour % 12) + (pm ? 12 : 0);
  }
  const check = new Date(Date.UTC(p.year, p.month - 1, p.day));
  if (check.getUTCMonth() !== p.month - 1 || check.getUTCDate() !== p.day) return undefined;
  if (p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
  return p;
}

/** The wall-clock parts of `ms` in `zone`. */
function zoned(ms: number, zone: string): Parts {
  const fields = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(fields.find((f) => f.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

const utcOf = (p: Parts) => Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);

/** Epoch ms of a wall-clock time in `zone` (the offset looked up twice, for times near a DST change). */
function fromZoned(p: Parts, zone: string): number {
  const guess = utcOf(p);
  const first = guess - (utcOf(zoned(guess, zone)) - guess);
  return guess - (utcOf(zoned(first, zone)) - first);
}

/** A date-only value (`yyyy-mm-dd`) in the app's date format. */
export function formatDate(iso: string, dateFormat: string): string {
  const [year, month, day] = iso.split("-").map(Number);
  return render(dateFormat, {
    year: year ?? 0,
    month: month ?? 1,
    day: day ?? 1,
    hour: 0,
    minute: 0,
    second: 0,
  });
}

/** A date written in the app's date format, as `yyyy-mm-dd`; undefined when it is not one. */
export function parseDate(text: string, dateFormat: string): string | undefined {
  const p = parse(dateFormat, text);
  return p ? `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}` : undefined;
}

/** An instant as the app shows date-times: its date and time formats, in its time zone. */
export function formatDateTime(
  ms: number,
  app: { date_format: string; time_format: string; time_zone: string },
) {
  return render(`${app.date_format} ${app.time_format}`, zoned(ms, app.time_zone));
}

/** A date-time written as the app shows them, as epoch ms; undefined when it is not one. */
export function parseDateTime(
  text: string,
  app: { date_format: string; time_format: string; time_zone: string },
): number | undefined {
  const p = parse(`${app.date_format} ${app.time_format}`, text);
  return p ? fromZoned(p, app.time_zone) : undefined;
}

/** The calendar day of `ms` in `zone` (`yyyy-mm-dd`): the daily API limit resets at its midnight. */
export function dayIn(ms: number, zone: string): string {
  const p = zoned(ms, zone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}
