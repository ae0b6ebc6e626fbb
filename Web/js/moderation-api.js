// js/moderation-api.js: calls to /api/moderation/… with the session cookie, and checks of what they answer.
// No call throws: each resolves to an `Answer`, and a 401 from any call but session/login also calls `onUnauthorized`.

import { asPost } from "./api.js";

const STATES = new Set(["visible", "hidden", "held", "rejected"]);
const MODES = new Set(["post", "pre"]);
const POST_ACTIONS = new Set(["hide", "show", "approve", "reject", "pin", "unpin", "question", "unquestion"]);

/**
 * A post's question for the stage: `null` (none, or not in the documented shape), else `{ markedAt, doneAt }`,
 * `markedAt` an ISO string and `doneAt` an ISO string once answered, or `null` (also when absent) while it is open.
 */
export function asQuestion(value) {
  if (!value || typeof value !== "object" || typeof value.markedAt !== "string") return null;
  if (value.doneAt !== null && value.doneAt !== undefined && typeof value.doneAt !== "string") return null;
  return { markedAt: value.markedAt, doneAt: value.doneAt ?? null };
}

/**
 * A post from the moderation API: `asPost` plus `state`, `heldSinceMs` (ms or null), `heldBecause`,
 * `authorBanned`, `authorTrusted`, `question` (see `asQuestion`); `null` when it is not a post or its state is unknown.
 */
export function asModPost(value) {
  const post = asPost(value);
  if (!post || !STATES.has(value.state)) return null;
  const heldSince = typeof value.heldSince === "string" ? Date.parse(value.heldSince) : NaN;
  return {
    ...post,
    state: value.state,
    heldSinceMs: Number.isFinite(heldSince) ? heldSince : null,
    heldBecause: typeof value.heldBecause === "string" && value.heldBecause !== "" ? value.heldBecause : null,
    authorBanned: value.authorBanned === true,
    authorTrusted: value.authorTrusted === true,
    question: asQuestion(value.question),
  };
}

/** A `remove` event (a post erased from the database): `{ id }`, or `null` without a usable id. */
export function asRemoval(value) {
  return value && typeof value === "object" && typeof value.id === "string" && value.id !== "" ? { id: value.id } : null;
}

/**
 * `/api/moderation/stage` checked: `{ path, url }`, `url` the lectern page's absolute address. The server's `url`
 * (its configured public address: on a hall's network often plain http, and the tablet needs it rather than this
 * laptop's origin) is kept when it is http or https; otherwise (or when it is null) it is built from this page's
 * origin and `path`. `null` when `path` is not a `/stage/…` path.
 */
export function asStage(value, origin = location.origin) {
  const path = value?.path;
  if (typeof path !== "string" || !/^\/stage\/[^/?#\s]+$/.test(path)) return null;
  let url = null;
  try {
    const given = typeof value.url === "string" ? new URL(value.url) : null;
    if (given && (given.protocol === "https:" || given.protocol === "http:")) url = given.href;
  } catch {
    url = null; // not a URL: built from the path below
  }
  return { path, url: url ?? new URL(path, origin).href };
}

/** An audit entry with `atMs` added, or `null` when it has no numeric id or no action. */
export function asAuditEntry(value) {
  if (!value || typeof value !== "object" || typeof value.action !== "string") return null;
  const id = Number(value.id);
  if (!Number.isFinite(id)) return null;
  const at = typeof value.at === "string" ? Date.parse(value.at) : NaN;
  return {
    id,
    atMs: Number.isFinite(at) ? at : Date.now(),
    moderator: typeof value.moderator === "string" ? value.moderator : "",
    action: value.action,
    postId: typeof value.postId === "string" && value.postId !== "" ? value.postId : null,
    summary: typeof value.summary === "string" ? value.summary : "",
  };
}

function stringList(value) {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string" && item.trim() !== "") : [];
}

function count(value) {
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/**
 * Settings with every documented field checked (channel modes other than post or pre dropped, for any channel
 * name: the page may learn its channel list after the settings). Fields this page does not know are kept, so
 * that a PUT of the edited object does not erase what a newer server added.
 */
export function asSettings(value) {
  if (!value || typeof value !== "object" || !MODES.has(value.mode)) return null;
  const channelModes = {};
  const given = value.channelModes && typeof value.channelModes === "object" ? value.channelModes : {};
  for (const [channel, mode] of Object.entries(given)) {
    if (/^[a-z0-9][a-z0-9._-]*$/i.test(channel) && MODES.has(mode)) channelModes[channel] = mode;
  }
  return {
    ...value,
    mode: value.mode,
    channelModes,
    blocklist: stringList(value.blocklist),
    trusted: stringList(value.trusted),
    projectorDelaySeconds: count(value.projectorDelaySeconds),
    floodLimitPerMinute: count(value.floodLimitPerMinute),
  };
}

const STAT_STATES = ["visible", "held", "hidden", "rejected"];

function instant(value) {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

function entries(value) {
  return value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];
}

function items(value) {
  return Array.isArray(value) ? value.filter((item) => item && typeof item === "object") : [];
}

/**
 * `/api/moderation/stats` checked, or `null` when it has no `channels` object. Names (channels, authors) are kept
 * as the server sent them, to be shown as text: maps are `Map`s, so no name can reach an object's prototype.
 * `{ channels: Map(name → { visible, held, hidden, rejected }), perMinute: [{ minuteMs, counts: Map(name → N) }],
 * topAuthors: [{ name, channel, posts }], contributors, busiestMinutes: [{ minuteMs, posts }], medianApprovalSeconds }`
 * (the median a number of seconds, or `null`). Missing or malformed parts are empty, counts 0.
 */
export function asStats(value) {
  if (!value || typeof value !== "object" || !value.channels || typeof value.channels !== "object" || Array.isArray(value.channels)) return null;
  const channels = new Map();
  for (const [name, states] of entries(value.channels)) {
    channels.set(name, Object.fromEntries(STAT_STATES.map((state) => [state, count(states?.[state])])));
  }
  const perMinute = [];
  for (const entry of items(value.perMinute)) {
    const minuteMs = instant(entry.minute);
    if (minuteMs === null) continue;
    perMinute.push({ minuteMs, counts: new Map(entries(entry.channels).map(([name, posts]) => [name, count(posts)])) });
  }
  const median = value.medianApprovalSeconds;
  return {
    channels,
    perMinute,
    topAuthors: items(value.topAuthors).map((entry) => ({
      name: typeof entry.name === "string" ? entry.name : "",
      channel: typeof entry.channel === "string" ? entry.channel : "",
      posts: count(entry.posts),
    })),
    contributors: count(value.contributors),
    busiestMinutes: items(value.busiestMinutes).flatMap((entry) => {
      const minuteMs = instant(entry.minute);
      return minuteMs === null ? [] : [{ minuteMs, posts: count(entry.posts) }];
    }),
    medianApprovalSeconds: typeof median === "number" && Number.isFinite(median) && median >= 0 ? median : null,
  };
}

/**
 * An announcement's image address, kept only when it is on this page's origin (the policy's `img-src 'self'`), as
 * `path?query`; otherwise (or when absent) `null`.
 */
function sameOriginImage(value, origin = location.origin) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value, origin);
    return url.origin === origin ? url.pathname + url.search : null;
  } catch {
    return null; // not a URL: no thumbnail
  }
}

/**
 * An organisers' announcement: `{ id, text, startsMs, endsMs, imageURL }` (`imageURL` a same-origin path or `null`),
 * or `null` without an id, a text or two readable instants. The text is the organisers', shown as text only.
 */
export function asAnnouncement(value) {
  if (!value || typeof value !== "object" || typeof value.id !== "string" || value.id === "" || typeof value.text !== "string") return null;
  const startsMs = instant(value.startsAt);
  const endsMs = instant(value.endsAt);
  if (startsMs === null || endsMs === null) return null;
  return { id: value.id, text: value.text, startsMs, endsMs, imageURL: sameOriginImage(value.imageURL) };
}

/** `{"announcements": [A…]}` (the GET's answer and the stream's `announcements` event) → the usable ones, or `null`. */
export function asAnnouncementList(value) {
  if (!value || typeof value !== "object" || !Array.isArray(value.announcements)) return null;
  return value.announcements.map(asAnnouncement).filter(Boolean);
}

function eventId(value) {
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

/** The earlier of two event ids, so that a stream opened after it misses nothing either snapshot left out. */
function earliest(a, b) {
  if (a === null || b === null || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return a ?? b;
  return BigInt(a) <= BigInt(b) ? a : b;
}

/**
 * `body` goes as JSON, or as it is (with its own type) when it is a `Blob`.
 * `{ ok, status, data, error, retryAfter }`: `status` 0 when the server could not be reached, `error` the
 * server's own `{"error": …}` text when it sent one, `retryAfter` the `Retry-After` seconds when present.
 */
async function call(method, path, body) {
  const init = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
  if (body instanceof Blob) {
    init.headers["Content-Type"] = body.type; // a file sent as it is (an announcement's image)
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: null, error: null, retryAfter: null };
  }
  let data = null;
  try {
    data = response.status === 204 ? null : await response.json();
  } catch {
    data = null; // an empty or non-JSON body: the status still says what happened
  }
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  return {
    ok: response.ok,
    status: response.status,
    data,
    error: !response.ok && typeof data?.error === "string" && data.error !== "" ? data.error : null,
    retryAfter: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null,
  };
}

/** The sentence to show for a failed `answer`: the server's error, else a generic one for its status. */
export function describeFailure(answer, strings) {
  if (answer.error) return answer.error;
  return answer.status === 0 ? strings.networkError : strings.httpError(answer.status);
}

function announcementPath(id) {
  return `/api/moderation/announcements/${encodeURIComponent(id)}`;
}

/** The moderation API. `onUnauthorized()` runs whenever the session turns out to be gone (any 401 but login's). */
export function createModerationApi({ onUnauthorized }) {
  async function guarded(method, path, body) {
    const answer = await call(method, path, body);
    if (answer.status === 401) onUnauthorized();
    return answer;
  }

  async function posts(state, limit, before = null) {
    let path = `/api/moderation/posts?state=${encodeURIComponent(state)}&limit=${limit}`;
    if (before) path += `&before=${encodeURIComponent(before)}`;
    const answer = await guarded("GET", path);
    if (!answer.ok || !Array.isArray(answer.data?.posts)) return null;
    const page = answer.data.posts;
    const oldestId = typeof page.at(-1)?.id === "string" && page.at(-1).id !== "" ? page.at(-1).id : null;
    return {
      posts: page.map(asModPost).filter(Boolean),
      lastEventId: eventId(answer.data.lastEventId),
      // A full page: the server may have older ones, asked for with `before: oldestId` (the last post it sent).
      more: page.length >= limit && oldestId !== null,
      oldestId,
    };
  }

  async function settings() {
    const answer = await guarded("GET", "/api/moderation/settings");
    return answer.ok ? asSettings(answer.data) : null;
  }

  async function audit(limit) {
    const answer = await guarded("GET", `/api/moderation/audit?limit=${limit}`);
    if (!answer.ok || !Array.isArray(answer.data?.entries)) return null;
    return answer.data.entries.map(asAuditEntry).filter(Boolean);
  }

  return {
    /** 200 `{moderator}` or 401 (no session): neither calls `onUnauthorized`. */
    session: () => call("GET", "/api/moderation/session"),
    login: (token) => call("POST", "/api/moderation/login", { token }),
    logout: () => call("POST", "/api/moderation/logout"),

    /** `action` on post `id`; on success `answer.post` is the post as the server now has it (or null if malformed). */
    async act(id, action) {
      if (!POST_ACTIONS.has(action)) throw new RangeError(`unknown action ${action}`);
      const answer = await guarded("POST", `/api/moderation/posts/${encodeURIComponent(id)}/${action}`);
      return { ...answer, post: answer.ok ? asModPost(answer.data) : null };
    },
    /** Bans (`ban: true`) or unbans the author of post `postId`; `answer.affected` is how many posts changed. */
    async author(postId, ban) {
      const answer = await guarded("POST", `/api/moderation/authors/${ban ? "ban" : "unban"}`, { postId });
      return { ...answer, affected: count(answer.data?.affected) };
    },
    /**
     * Erases every post of the author of post `postId` from the database, for good (an erasure request);
     * `answer.erased` is how many posts went. The moderators' stream then sends a `remove` for each.
     */
    async eraseAuthor(postId) {
      const answer = await guarded("POST", "/api/moderation/authors/erase", { postId });
      return { ...answer, erased: count(answer.data?.erased) };
    },
    /** Undoes the caller's own last action; `answer.undone` is its audit entry. 409 when there is nothing to undo. */
    async undo() {
      const answer = await guarded("POST", "/api/moderation/undo");
      return { ...answer, undone: answer.ok ? asAuditEntry(answer.data?.undone) : null };
    },
    /** The organiser's figures, with posts per minute over the last `minutes`; `answer.stats` (see `asStats`) or null. */
    async stats(minutes) {
      const answer = await guarded("GET", `/api/moderation/stats?minutes=${encodeURIComponent(minutes)}`);
      return { ...answer, stats: answer.ok ? asStats(answer.data) : null };
    },
    /** The lectern tablet's page; `answer.stage` (see `asStage`) or null. */
    async stage() {
      const answer = await guarded("GET", "/api/moderation/stage");
      return { ...answer, stage: answer.ok ? asStage(answer.data) : null };
    },
    /** Every announcement, ended ones included; `answer.announcements` (see `asAnnouncementList`) or null. */
    async announcements() {
      const answer = await guarded("GET", "/api/moderation/announcements");
      return { ...answer, announcements: answer.ok ? asAnnouncementList(answer.data) : null };
    },
    /**
     * Creates (`id` null) or replaces announcement `id` with `{ text, startsAt, endsAt }` (ISO instants);
     * `answer.announcement` is it as the server now has it (see `asAnnouncement`), or null.
     */
    async saveAnnouncement(id, body) {
      const answer = id === null ? await guarded("POST", "/api/moderation/announcements", body) : await guarded("PUT", announcementPath(id), body);
      return { ...answer, announcement: answer.ok ? asAnnouncement(answer.data) : null };
    },
    /** Deletes announcement `id` (204). */
    deleteAnnouncement: (id) => guarded("DELETE", announcementPath(id)),
    /** Gives announcement `id` the image `file` (a `File` or `Blob` whose type is the image's), or removes it (`null`). */
    async setAnnouncementImage(id, file) {
      const answer = await guarded(file ? "PUT" : "DELETE", `${announcementPath(id)}/image`, file ?? undefined);
      return { ...answer, announcement: answer.ok ? asAnnouncement(answer.data) : null };
    },
    async saveSettings(value) {
      const answer = await guarded("PUT", "/api/moderation/settings", value);
      return { ...answer, settings: answer.ok ? asSettings(answer.data) : null };
    },

    /**
     * Everything the console shows, or `null` if any part failed: `{ posts, settings, audit, lastEventId, held }`.
     * Held posts are fetched on their own (the newest `heldLimit`) so that none is missing behind newer ones;
     * `held` is `{ more, oldestId }`, where to ask for older ones. Posts come first and settings and audit
     * after, so the stream opened from `lastEventId` replays any change made in between.
     */
    async snapshot({ limit, heldLimit, auditLimit }) {
      const [recent, held] = await Promise.all([posts("all", limit), posts("held", heldLimit)]);
      if (!recent || !held) return null;
      const [current, entries] = await Promise.all([settings(), audit(auditLimit)]);
      if (!current || !entries) return null;
      const byId = new Map([...recent.posts, ...held.posts].map((post) => [post.id, post]));
      return {
        posts: [...byId.values()],
        settings: current,
        audit: entries,
        lastEventId: earliest(recent.lastEventId, held.lastEventId),
        held: { more: held.more, oldestId: held.oldestId },
      };
    },

    /**
     * Up to `limit` posts in `state`, newest first, older than post `before` when given: `{ posts, lastEventId,
     * more, oldestId }` or `null` (`more`: the page was full, so older ones may follow `oldestId`).
     */
    posts,

    /** `/healthz`'s `channels` object (name → status), or `null`. Public: no session needed; read even from a 503. */
    async channels() {
      const channels = (await call("GET", "/healthz")).data?.channels;
      return channels && typeof channels === "object" && !Array.isArray(channels) ? channels : null;
    },
  };
}
