// js/moderation-events.js: the console's one EventSource on /api/moderation/events: post, remove, settings, audit,
// announcements, reset.

import { backoffDelay } from "./backoff.js";
import { asAnnouncementList, asAuditEntry, asModPost, asRemoval, asSettings } from "./moderation-api.js";

const URL = "/api/moderation/events";
const PARSERS = { post: asModPost, remove: asRemoval, settings: asSettings, audit: asAuditEntry, announcements: asAnnouncementList };

function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * Loads a snapshot with `loadSnapshot()`, hands it to `onSnapshot`, then streams from its `lastEventId`:
 * `onPost(modPost)`, `onRemove({ id })` (the post was erased from the database), `onSettings(settings)`,
 * `onAudit(entry)`, and, optional, `onAnnouncements(list)` (the whole list of the organisers' announcements, sent
 * after every change to any of them); malformed events are skipped.
 *
 * Unlike events.js, which keeps its stream open while a snapshot reloads and holds events back, this one
 * closes the stream first and opens a new one from the fresh snapshot's `lastEventId`: every event here
 * carries full state, so the server's replay after that id is all the page needs, and nothing is buffered.
 * - `reset` (the server cannot replay what we missed) starts over the same way.
 * - A stream the browser gave up on (CLOSED, e.g. a 401 or a restarting server) starts over after a backoff
 *   of 1 s doubling to 30 s; a snapshot that fails (`null`) is retried the same way. A 401 reaches the
 *   api's `onUnauthorized`, whose handler is expected to `close()` this connection.
 * - `onConnectionChange(true)` when a stream opens, `(false)` when it fails.
 * - `onEvent(name)`, optional, after the handler of each event ("post", "remove", "settings", "audit", "announcements") and after each
 *   snapshot ("snapshot"): for views that only need to know that something changed (the statistics).
 */
export function connectModerationEvents({
  loadSnapshot,
  onSnapshot,
  onPost,
  onRemove,
  onSettings,
  onAudit,
  onAnnouncements = () => {},
  onConnectionChange = () => {},
  onEvent = () => {},
}) {
  const handlers = { post: onPost, remove: onRemove, settings: onSettings, audit: onAudit, announcements: onAnnouncements };
  let source = null;
  let failures = 0;
  let timer = 0;
  let loading = false;
  let closed = false;

  function open(lastEventId) {
    const stream = new EventSource(lastEventId ? `${URL}?lastEventId=${encodeURIComponent(lastEventId)}` : URL);
    source = stream;
    const current = () => stream === source && !closed;
    stream.addEventListener("open", () => {
      if (!current()) return;
      failures = 0;
      onConnectionChange(true);
    });
    stream.addEventListener("error", () => {
      if (!current()) return;
      onConnectionChange(false);
      // While CONNECTING the browser retries by itself and sends Last-Event-ID; CLOSED means it gave up.
      if (stream.readyState === EventSource.CLOSED) startLater();
    });
    stream.addEventListener("reset", () => {
      if (current()) start();
    });
    for (const [name, parser] of Object.entries(PARSERS)) {
      stream.addEventListener(name, (event) => {
        if (!current()) return;
        const value = parser(parse(event.data));
        if (!value) return;
        handlers[name](value);
        onEvent(name);
      });
    }
  }

  function stop() {
    source?.close();
    source = null;
    clearTimeout(timer);
  }

  async function start() {
    if (loading || closed) return;
    stop();
    loading = true;
    let snapshot = null;
    try {
      snapshot = await loadSnapshot();
    } catch {
      snapshot = null; // loadSnapshot should not throw; if it does, it is one more failed attempt
    }
    loading = false;
    if (closed) return;
    if (!snapshot) {
      startLater();
      return;
    }
    onSnapshot(snapshot);
    onEvent("snapshot");
    open(snapshot.lastEventId);
  }

  function startLater() {
    stop();
    onConnectionChange(false);
    if (!closed) timer = setTimeout(start, backoffDelay(failures++));
  }

  start();
  return {
    /** Stops for good: no more events, no retries. */
    close() {
      closed = true;
      stop();
    },
  };
}
