// js/render-post.js: one post → one card, cloned from a <template>. Text only, never HTML.

import { formatAbsolute, formatRelative } from "./time.js";

export const LINK_REL = "noopener noreferrer nofollow ugc";
const SPAN_KINDS = new Set(["url", "mention", "hashtag"]);
const HANDLE_CHANNELS = new Set(["x", "mastodon", "bluesky"]);

/** `value` as an absolute http(s) URL string, or `null` for anything else (javascript:, data:, relative, malformed). */
export function safeHttpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Cuts `text` into runs: `{ kind: "plain" | "url" | "mention" | "hashtag", text }`, following `spans`
 * (UTF-16 offsets, end exclusive). A span that is unknown, out of range, empty or overlapping the previous
 * one is ignored, so its characters stay plain text: bad spans can lose a link, never text.
 */
export function textSegments(text, spans) {
  const segments = [];
  let cursor = 0;
  for (const span of Array.isArray(spans) ? spans : []) {
    const { kind, start, end } = span ?? {};
    const valid = SPAN_KINDS.has(kind) && Number.isInteger(start) && Number.isInteger(end) && start >= cursor && end > start && end <= text.length;
    if (!valid) continue;
    if (start > cursor) segments.push({ kind: "plain", text: text.slice(cursor, start) });
    segments.push({ kind, text: text.slice(start, end) });
    cursor = end;
  }
  if (cursor < text.length) segments.push({ kind: "plain", text: text.slice(cursor) });
  return segments;
}

function segmentNode(segment, links) {
  if (segment.kind === "plain") return document.createTextNode(segment.text);
  const href = segment.kind === "url" && links ? safeHttpUrl(segment.text) : null;
  const node = document.createElement(href ? "a" : "span");
  node.className = segment.kind;
  node.textContent = segment.text;
  if (href) {
    node.setAttribute("href", href);
    node.setAttribute("rel", LINK_REL);
    node.setAttribute("target", "_blank");
  }
  return node;
}

/** The handle as shown: "@name" for networks with @handles, as given otherwise (a masked phone number, say). */
export function displayHandle(handle, channel) {
  if (!handle) return "";
  if (!HANDLE_CHANNELS.has(channel) || handle.startsWith("@") || /\s/.test(handle)) return handle;
  return `@${handle}`;
}

/** A size class for the text, so the projector can pick a type size before clamping: s, m, l or xl. */
export function sizeClass(text) {
  const length = [...text].length;
  return length <= 80 ? "s" : length <= 180 ? "m" : length <= 320 ? "l" : "xl";
}

/** Keeps the badge of `channel`, or else the neutral one, labelled with the channel's name (or nothing when it has none). */
function keepOnlyBadge(card, channel) {
  const items = [...card.querySelectorAll(".badge-item")];
  const own = items.find((item) => item.dataset.channel === channel) ?? items.find((item) => item.classList.contains("is-fallback"));
  for (const item of items) if (item !== own) item.remove();
  if (own?.classList.contains("is-fallback")) own.querySelector(".visually-hidden").textContent = channel;
}

function fillTime(card, post, language, links) {
  const time = card.querySelector("time");
  time.dateTime = new Date(post.createdMs).toISOString();
  time.textContent = formatRelative(post.createdMs, Date.now(), language);
  time.setAttribute("title", formatAbsolute(post.createdMs, language));
  // The time links to the post's own page on this wall (`/p/<id>`), which links on to its source.
  const permalink = card.querySelector(".permalink");
  if (!permalink) return;
  if (!links) {
    permalink.replaceWith(time);
    return;
  }
  permalink.setAttribute("href", `/p/${encodeURIComponent(post.id)}`);
}

/**
 * A new card for `post` from `template` (whose first element is the card). Post data goes in only through
 * `textContent`, `dataset` and attributes checked here. `links: false` renders URLs as plain text (projector).
 */
export function renderPost(template, post, { language = "fr", links = true, sensitive = "blur" } = {}) {
  const card = template.content.firstElementChild.cloneNode(true);
  const channel = post.channel; // a channel the template has no badge for gets the neutral one
  card.dataset.postId = post.id;
  card.dataset.channel = channel;
  card.dataset.size = sizeClass(post.text);
  card.classList.toggle("is-pinned", post.pinned);
  keepOnlyBadge(card, channel);

  // The template's own text ("Anonyme") stays when the name is empty.
  if (post.author.name) card.querySelector(".author").textContent = post.author.name;
  const handle = displayHandle(post.author.handle, channel);
  if (handle) card.querySelector(".handle").textContent = handle;
  else card.querySelector(".handle").remove();
  fillTime(card, post, language, links);

  const body = card.querySelector(".text");
  body.replaceChildren(...textSegments(post.text, post.spans).map((segment) => segmentNode(segment, links)));
  // The author's content warning first; the text only for a reader who opens it (the projector never gets such posts).
  if (typeof post.contentWarning === "string" && post.contentWarning !== "") {
    const details = document.createElement("details");
    details.className = "content-warning";
    const summary = document.createElement("summary");
    summary.textContent = post.contentWarning;
    body.before(details);
    details.append(summary, body);
  }

  const pictures = mediaNode(post.media ?? [], sensitive);
  if (pictures) (card.querySelector(".text-box") ?? card.querySelector(".content-warning") ?? body).after(pictures);

  if (post.reposts > 0) card.querySelector(".reposts-count").textContent = String(post.reposts);
  else card.querySelector(".reposts").remove();
  if (!post.pinned) card.querySelector(".pinned").remove();
  return card;
}

/**
 * The post's pictures, from the wall's own cache, with their alt text; `null` when there are none to show.
 * `sensitive`: "blur" (blurred until the reader taps one), "omit" (the projector) or "show" (moderators).
 */
function mediaNode(media, sensitive) {
  const shown = media.filter((item) => !(item.sensitive && sensitive === "omit"));
  if (shown.length === 0) return null;
  const box = document.createElement("div");
  box.className = "media";
  box.dataset.count = String(shown.length);
  for (const item of shown) {
    const image = document.createElement("img");
    image.src = item.url;
    image.alt = item.alt;
    image.loading = "lazy";
    image.decoding = "async";
    if (item.width && item.height) {
      image.width = item.width;
      image.height = item.height;
    }
    if (item.sensitive && sensitive === "blur") {
      image.classList.add("is-sensitive");
      image.addEventListener("click", () => image.classList.remove("is-sensitive"), { once: true });
    }
    box.append(image);
  }
  return box;
}
