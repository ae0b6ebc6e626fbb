// js/wall-settings.js: puts /api/wall on the page: language, theme, title, hashtags, how-to text, interface strings.

import { applyStrings, stringsFor } from "./strings.js";

/**
 * Applies `wall` (as returned by `fetchWall`) to `doc`: `<html lang>` and `data-theme`, the document title,
 * and the text of `[data-wall="title" | "hashtags" | "howto"]`. Returns the interface strings for its language.
 */
export function applyWallSettings(wall, doc = document) {
  const root = doc.documentElement;
  root.lang = wall.language;
  root.dataset.theme = wall.theme;
  doc.title = wall.title;
  const hashtags = wall.hashtags.map((tag) => `#${tag}`).join(" ");
  const values = {
    title: wall.title,
    hashtags,
    howto: wall.howToContribute,
    followerURL: displayURL(wall.followerURL),
    privacyURL: wall.privacyNotice && wall.followerURL ? `${displayURL(wall.followerURL)}/privacy` : "",
  };
  for (const element of doc.querySelectorAll("[data-wall]")) {
    const value = values[element.dataset.wall];
    if (typeof value !== "string") continue;
    element.textContent = value;
    element.hidden = value === "";
  }
  if (isColour(wall.accentColor)) {
    root.style.setProperty("--accent", wall.accentColor);
    root.style.setProperty("--hashtag", wall.accentColor);
    root.style.setProperty("--accent-ink", inkOn(wall.accentColor));
  }
  for (const logo of doc.querySelectorAll("[data-wall-logo]")) {
    if (wall.logoURL !== "/logo") continue;
    logo.src = "/logo";
    logo.hidden = false;
  }
  // The privacy notice, where the organiser wrote one: a link on pages people can click.
  for (const link of doc.querySelectorAll("[data-privacy-link]")) link.hidden = !wall.privacyNotice;
  const strings = stringsFor(wall.language);
  applyStrings(doc, strings);
  return strings;
}

const isColour = (value) => typeof value === "string" && /^#[0-9a-f]{6}$/i.test(value);

/** Black or white, whichever reads better on `colour` (WCAG relative luminance). */
function inkOn(colour) {
  const channel = (offset) => {
    const value = parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#11161c" : "#ffffff";
}

/** The follower page's address as people type it: no scheme, no trailing slash. */
function displayURL(url) {
  if (typeof url !== "string") return "";
  return url.replace(/^https?:\/\//, "").replace(/\/$/, "");
}
