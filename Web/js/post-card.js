// js/post-card.js: the one card every page clones a post from (render-post.js keeps the post's channel badge
// and fills the text nodes). Built with DOM calls, in the page's language.

import { stringsFor } from "./strings.js";

const SVG = "http://www.w3.org/2000/svg";
const ANTENNA = [
  ["circle", { cx: "12", cy: "12", r: "2.5" }],
  ["path", { d: "M8 8a5.7 5.7 0 0 0 0 8M16 8a5.7 5.7 0 0 1 0 8M5.2 5.2a9.6 9.6 0 0 0 0 13.6M18.8 5.2a9.6 9.6 0 0 1 0 13.6" }],
];

/** Each channel icon (`/api/wall`'s `icon` key): inline shapes on a 24×24 grid, filled or stroked. */
const ICONS = {
  x: {
    shapes: [
      ["path", { d: "M3 3h5.3l12.7 18h-5.3z" }],
      ["path", { d: "M19.3 3h1.9l-7.4 8.4-1.1-1.5zM4.7 21H2.8l7.6-8.7 1.1 1.5z" }],
    ],
  },
  mastodon: {
    stroked: true,
    shapes: [
      ["path", { d: "M20 13.5V9c0-4-2.9-5.5-8-5.5S4 5 4 9v4c0 4.5 2.6 6.5 6.5 7 1.9.2 3.7 0 5-.5v-2c-1.6.5-3.4.6-5 .4-1.5-.2-2.6-1-2.8-2.4 1.5.3 3 .5 4.5.5 4.9 0 7.8-1 7.8-2.5z" }],
      ["path", { d: "M8.5 13V10a1.75 1.75 0 0 1 3.5 0v2M12 10a1.75 1.75 0 0 1 3.5 0v3" }],
    ],
  },
  bluesky: {
    shapes: [
      ["path", { d: "M12 10.5C10.4 7.3 6.6 3.5 4.2 3.5 2.9 3.5 2.5 4.4 2.5 5.6c0 1.8.9 5.6 4.1 6.3-2.7.6-3.2 2.7-1.6 4.4 2.6 2.7 4.9.9 6-1.7l1-2 1 2c1.1 2.6 3.4 4.4 6 1.7 1.6-1.7 1.1-3.8-1.6-4.4 3.2-.7 4.1-4.5 4.1-6.3 0-1.2-.4-2.1-1.7-2.1-2.4 0-6.2 3.8-7.8 7z" }],
    ],
  },
  sms: {
    stroked: true,
    shapes: [
      ["path", { d: "M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-8l-5 4v-4H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" }],
      ["path", { d: "M8 10.5h.01M12 10.5h.01M16 10.5h.01" }],
    ],
  },
  email: {
    stroked: true,
    shapes: [
      ["rect", { x: "3", y: "5", width: "18", height: "14", rx: "2" }],
      ["path", { d: "m3.5 6.5 8.5 6.5 8.5-6.5" }],
    ],
  },
  api: { stroked: true, shapes: ANTENNA },
  demo: { stroked: true, shapes: ANTENNA },
};

/** The pinned mark and the repost count's mark: drawn, never emoji characters (a kiosk without an emoji font shows a box). */
const PIN_ICON = {
  stroked: true,
  shapes: [["path", { d: "M9 3.5h6M10 3.5v5.5l-3 3.5h10l-3-3.5V3.5M12 12.5V21" }]],
};
const REPOST_ICON = {
  stroked: true,
  shapes: [["path", { d: "M17 2.5l3 3-3 3M4 11.5v-2a4 4 0 0 1 4-4h12M7 21.5l-3-3 3-3M20 12.5v2a4 4 0 0 1-4 4H4" }]],
};

/** The neutral badge of a channel whose icon this page does not know (or a post from a channel not listed): a plain ring. */
const FALLBACK_ICON = { stroked: true, shapes: [["circle", { cx: "12", cy: "12", r: "7.5" }]] };

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function icon({ stroked, shapes }, kind = "badge-icon") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", stroked ? `${kind} is-stroked` : kind);
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const [tag, attributes] of shapes) {
    const shape = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) shape.setAttribute(name, value);
    svg.append(shape);
  }
  return svg;
}

/**
 * A `<template>` holding one empty post card, its interface words in `language`, with one badge per channel of
 * `channels` (`/api/wall`'s list: its icon, and its label for screen readers) plus a neutral one
 * (`.badge-item.is-fallback`, no label yet) that render-post.js keeps for a post from any other channel.
 */
export function createPostCardTemplate(language, channels = []) {
  const strings = stringsFor(language);
  const hidden = (text) => element("span", { class: "visually-hidden" }, text);
  const mark = (shape) => icon(shape, "mark-icon");
  const badges = channels.map((channel) =>
    element("span", { class: "badge-item", "data-channel": channel.name }, icon(ICONS[channel.icon] ?? FALLBACK_ICON), hidden(channel.label)),
  );
  badges.push(element("span", { class: "badge-item is-fallback" }, icon(FALLBACK_ICON), hidden("")));
  const card = element(
    "article",
    { class: "card" },
    element("p", { class: "pinned" }, mark(PIN_ICON), " ", element("span", {}, strings.pinned)),
    element(
      "header",
      { class: "card-head" },
      element("span", { class: "badge" }, ...badges),
      element("span", { class: "byline" }, element("span", { class: "author" }, strings.anonymous), " ", element("span", { class: "handle" })),
      element("a", { class: "permalink" }, element("time", { class: "time" })),
    ),
    element("div", { class: "text-box" }, element("p", { class: "text" })),
    element("p", { class: "reposts" }, mark(REPOST_ICON), " ", element("span", { class: "reposts-count" }), " ", hidden(strings.reposts)),
  );
  const template = document.createElement("template");
  template.content.append(card);
  return template;
}
