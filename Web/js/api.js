// js/api.js: calls to /api/…. Each one retries with backoff and never throws: failure is a `null` result.

import { backoffDelay, sleep } from "./backoff.js";
import { compareNewestFirst } from "./post-set.js";

const THEMES = new Set(["dark", "light"]);
const LANGUAGES = new Set(["fr", "en"]);

/** What the page shows when /api/wall cannot say better (a 4xx, or a body that is not the expected object). */
export const DEFAULT_WALL = Object.freeze({ title: "Hashwall", hashtags: [], howToContribute: "", theme: "dark", language: "fr" });

async function attempt(path) {
  try {
    const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!response.ok) {
      // Server errors, timeouts and rate limits pass; other 4xx answers would be the same next time.
      const status = response.status;
      return { ok: false, retry: status >= 500 || status === 408 || status === 429 };
    }
    return { ok: true, data: await response.json() };
  } catch {
    return { ok: false, retry: true }; // network down, server restarting, or a body that is not JSON
  }
}

/** GETs `path` as JSON, trying up to `attempts` times with backoff between tries. Resolves to the data or `null`. */
async function getJSON(path, attempts) {
  for (let failures = 0; ; ) {
    const outcome = await attempt(path);
    if (outcome.ok) return outcome.data;
    failures += 1;
    if (!outcome.retry || failures >= attempts) return null;
    await sleep(backoffDelay(failures - 1));
  }
}

function text(value) {
  return typeof value === "string" ? value : "";
}

function instant(value) {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A post from the server, checked and reduced to the fields the pages use, or `null` when it has no
 * usable id or text. Times gain `createdMs`/`receivedMs` (milliseconds) for sorting. Nothing here is trusted as markup.
 */
export function asPost(value) {
  if (!value || typeof value !== "object") return null;
  if (typeof value.id !== "string" || value.id === "" || typeof value.text !== "string") return null;
  const author = value.author && typeof value.author === "object" ? value.author : {};
  const created = instant(value.createdAt);
  const received = instant(value.receivedAt);
  const now = Date.now();
  return {
    id: value.id,
    channel: text(value.channel),
    author: { name: text(author.name), handle: text(author.handle) || null },
    text: value.text,
    createdMs: created ?? received ?? now,
    receivedMs: received ?? created ?? now,
    url: text(value.url) || null,
    reposts: Number.isInteger(value.reposts) && value.reposts > 0 ? value.reposts : 0,
    pinned: value.pinned === true,
    spans: Array.isArray(value.spans) ? value.spans : [],
    contentWarning: text(value.contentWarning) || null,
    media: asMedia(value.media),
  };
}

/** A post's pictures: only those served by the wall itself (`/media/` and a hex key), at most 4. */
function asMedia(value) {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item) => item && typeof item === "object" && typeof item.url === "string" && /^\/media\/[0-9a-f]{32}$/.test(item.url))
    .slice(0, 4)
    .map((item) => ({
      url: item.url,
      alt: text(item.alt),
      width: Number.isInteger(item.width) && item.width > 0 ? item.width : null,
      height: Number.isInteger(item.height) && item.height > 0 ? item.height : null,
      sensitive: item.sensitive === true,
    }));
}

/**
 * The wall's channel kinds (`/api/wall`'s `channels`), in the server's order: `{ name, label, icon }` each, strings.
 * Entries without a usable name are dropped, and so are repeated names; a missing label is the name, a missing icon "".
 */
export function asChannels(value) {
  if (!Array.isArray(value)) return [];
  const channels = [];
  const seen = new Set();
  for (const entry of value) {
    const name = text(entry?.name);
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || seen.has(name)) continue;
    seen.add(name);
    channels.push(Object.freeze({ name, label: text(entry.label) || name, icon: text(entry.icon) }));
  }
  return Object.freeze(channels);
}

/**
 * `/api/wall`, retried while the server is unreachable; `DEFAULT_WALL` fields fill whatever is missing or invalid.
 * `channels` (see `asChannels`) is empty when the server could not be reached: the pages' one list of channels.
 */
export async function fetchWall({ attempts = Infinity } = {}) {
  const data = (await getJSON("/api/wall", attempts)) ?? {};
  const hashtags = Array.isArray(data.hashtags) ? data.hashtags.filter((tag) => typeof tag === "string" && tag !== "") : [];
  return {
    title: text(data.title) || DEFAULT_WALL.title,
    hashtags: hashtags.map((tag) => tag.replace(/^#/, "")),
    howToContribute: text(data.howToContribute),
    theme: THEMES.has(data.theme) ? data.theme : DEFAULT_WALL.theme,
    language: LANGUAGES.has(data.language) ? data.language : DEFAULT_WALL.language,
    followerURL: text(data.followerURL) || null,
    accentColor: /^#[0-9a-f]{6}$/i.test(text(data.accentColor)) ? data.accentColor : null,
    logoURL: data.logoURL === "/logo" ? "/logo" : null,
    channels: asChannels(data.channels),
    privacyNotice: text(data.privacyNotice) || null,
  };
}

/**
 * `/api/posts/{id}`: one visible post, checked by `asPost`; `null` when it is hidden or unknown (404, at once)
 * or the server stayed unreachable for `attempts` tries.
 */
export async function fetchPost(id, { attempts = 3 } = {}) {
  return asPost(await getJSON(`/api/posts/${encodeURIComponent(id)}`, attempts));
}

/**
 * `/api/posts?limit=N[&before=ID][&view=projector]`: `{ posts, lastEventId, complete }` with posts checked by `asPost` and
 * sorted newest first (`complete`: the server had fewer than `limit` to give, so there is nothing older), or `null` after `attempts` failures (or at once on a 4xx such as an unknown `before`).
 */
export async function fetchPosts({ limit, before = null, attempts = Infinity, view = null }) {
  let path = `/api/posts?limit=${encodeURIComponent(limit)}`;
  if (before) path += `&before=${encodeURIComponent(before)}`;
  if (view) path += `&view=${encodeURIComponent(view)}`;
  const data = await getJSON(path, attempts);
  if (!data || !Array.isArray(data.posts)) return null;
  const posts = data.posts.map(asPost).filter(Boolean);
  // The projector also gets every pinned post, however old (first page only).
  if (view === "projector" && Array.isArray(data.pinned)) {
    const ids = new Set(posts.map((post) => post.id));
    for (const post of data.pinned.map(asPost).filter(Boolean)) if (!ids.has(post.id)) posts.push(post);
  }
  posts.sort(compareNewestFirst);
  const id = data.lastEventId;
  const lastEventId = typeof id === "string" || typeof id === "number" ? String(id) : null;
  // The projector also gets the question the stage is answering, which it spotlights.
  const answering = view === "projector" ? asPost(data.answering) : null;
  return { posts, lastEventId, complete: data.posts.length < limit, answering };
}
