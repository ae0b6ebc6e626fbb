// js/time.js: relative times ("à l'instant", "il y a 3 min", "just now", "3 min ago"), refreshed in place.

const JUST_NOW = { fr: "à l'instant", en: "just now" };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const formatters = new Map();

function cached(key, make) {
  if (!formatters.has(key)) formatters.set(key, make());
  return formatters.get(key);
}

function relativeFormat(language) {
  return cached(`rel:${language}`, () => new Intl.RelativeTimeFormat(language, { style: "short", numeric: "always" }));
}

function relative(value, unit, language) {
  const parts = relativeFormat(language).formatToParts(-value, unit);
  // Recent CLDR writes English short units with a period ("3 min. ago"); the wall says "3 min ago".
  const cleaned = language === "en" ? parts.map((part) => (part.type === "literal" ? part.value.replace(/\./g, "") : part.value)) : parts.map((part) => part.value);
  return cleaned.join("");
}

/**
 * `thenMs` as seen at `nowMs`, in `language` ("fr" or "en"): under a minute (or in the future, from a
 * skewed clock) is "just now"; then minutes, hours, days; past a week, the day and month.
 */
export function formatRelative(thenMs, nowMs, language) {
  const lang = language === "en" ? "en" : "fr";
  const elapsed = nowMs - thenMs;
  if (!Number.isFinite(elapsed)) return "";
  if (elapsed < MINUTE) return JUST_NOW[lang];
  if (elapsed < HOUR) return relative(Math.floor(elapsed / MINUTE), "minute", lang);
  if (elapsed < DAY) return relative(Math.floor(elapsed / HOUR), "hour", lang);
  if (elapsed < 7 * DAY) return relative(Math.floor(elapsed / DAY), "day", lang);
  return cached(`day:${lang}`, () => new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" })).format(thenMs);
}

/** The full local date and time, for a tooltip. */
export function formatAbsolute(ms, language) {
  const lang = language === "en" ? "en" : "fr";
  return cached(`abs:${lang}`, () => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" })).format(ms);
}

/** Rewrites the text of every `<time datetime>` under `root`. */
export function refreshTimes(root, language, nowMs = Date.now()) {
  for (const element of root.querySelectorAll("time[datetime]")) {
    const ms = Date.parse(element.dateTime);
    if (Number.isFinite(ms)) element.textContent = formatRelative(ms, nowMs, language);
  }
}

/** Refreshes the times under `root` every `everyMs` (30 s by default). Returns a function that stops it. */
export function startClock(root, language, everyMs = 30_000) {
  const timer = setInterval(() => refreshTimes(root, language), everyMs);
  return () => clearInterval(timer);
}
