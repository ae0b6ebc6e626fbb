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
  const values = { title: wall.title, hashtags, howto: wall.howToContribute };
  for (const element of doc.querySelectorAll("[data-wall]")) {
    const value = values[element.dataset.wall];
    if (typeof value !== "string") continue;
    element.textContent = value;
    element.hidden = value === "";
  }
  const strings = stringsFor(wall.language);
  applyStrings(doc, strings);
  return strings;
}
