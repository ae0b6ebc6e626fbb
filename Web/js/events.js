// js/events.js: one EventSource on /events; post/update/remove/reset, reconnection and snapshot reloads.

import { asPost } from "./api.js";
import { backoffDelay } from "./backoff.js";

// Events that arrive while a snapshot reloads wait here. Overflow rule: past this many, drop them all and
// reload once more when the current reload ends, since that later snapshot contains everything they said.
const MAX_BUFFERED = 1000;

function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/** True when both ids are event numbers and `id` is not after `reference`. Other ids are never called stale. */
function notAfter(id, reference) {
  if (!/^\d+$/.test(id ?? "") || !/^\d+$/.test(reference ?? "")) return false;
  return BigInt(id) <= BigInt(reference);
}

/**
 * Streams the wall's events to the handlers, starting after `lastEventId` (from the snapshot already shown).
 *
 * - `post` and `update` carry a post (checked by `asPost`), `remove` an id; malformed events are skipped.
 * - `reset` (the server could not replay what we missed) reloads the snapshot with `loadSnapshot()` and hands
 *   it to `onSnapshot`; events arriving meanwhile are held and replayed afterwards, except those the snapshot
 *   already contains (event number not after its `lastEventId`).
 * - A connection the browser gives up on (readyState CLOSED, e.g. a non-200 during a server restart) is
 *   reopened after a backoff of 1 s doubling to 30 s, with a snapshot reload first since events may be lost.
 * - `onConnectionChange(false)` on every error, `onConnectionChange(true)` on every open.
 *
 * - `more` maps other event names to handlers of their parsed data (the projector's `answering`).
 * - Behind an nginx + Nchan edge the ids are Nchan's, and each event's data carries the node's numbers instead
 *   (`hashwallEvent`, `hashwallPrevious`): an event the snapshot already holds is skipped, one whose previous event
 *   this page never saw reloads the snapshot (nothing missed), and a `reset` older than the snapshot is ignored.
 *
 * Returns `{ resync, close }`: `resync()` reloads the snapshot the same safe way and resolves to whether it worked.
 */
export function connectEvents({
  lastEventId,
  loadSnapshot,
  onSnapshot,
  onPost,
  onUpdate,
  onRemove,
  onConnectionChange = () => {},
  view = null,
  more = {},
}) {
  let source = null;
  let nextId = lastEventId;
  let failures = 0;
  let reopenTimer = 0;
  let reloading = null;
  let reloadAgain = false;
  let held = [];
  let closed = false;
  // The node's number of the last event this page has (snapshot or event), for streams served by an edge.
  let bridged = lastEventId;

  /** Whether an edge's event is news: not in the snapshot, and nothing lost before it (else a reload is started). */
  function fresh(data) {
    const number = data?.hashwallEvent;
    if (typeof number !== "string" || !/^\d+$/.test(number)) return true; // the node's own stream: ids do this
    if (notAfter(number, bridged)) return false;
    const previous = data.hashwallPrevious;
    if (/^\d+$/.test(bridged ?? "") && /^\d+$/.test(previous ?? "") && !notAfter(previous, bridged)) {
      if (reloading) reloadAgain = true;
      else resync();
      return false;
    }
    bridged = number;
    return true;
  }

  function dispatch(name, event) {
    const data = parse(event.data);
    if (!fresh(data)) return;
    if (Object.hasOwn(more, name)) {
      if (data !== undefined) more[name](data);
      return;
    }
    if (name === "remove") {
      if (data && typeof data.id === "string") onRemove(data.id);
      return;
    }
    const post = asPost(data);
    if (post) (name === "post" ? onPost : onUpdate)(post);
  }

  function receive(name, event) {
    // A reset no newer than what this page holds (an edge keeps its recent events, resets too) changes nothing.
    if (name === "reset" && notAfter(parse(event.data)?.lastEventId, bridged)) return;
    if (name === "reset") {
      if (reloading) reloadAgain = true; // the snapshot in flight may predate this reset
      else resync();
      return;
    }
    if (!reloading) {
      dispatch(name, event);
      return;
    }
    held.push({ name, event });
    if (held.length > MAX_BUFFERED) {
      held = [];
      reloadAgain = true;
    }
  }

  function open() {
    const query = [view ? `view=${encodeURIComponent(view)}` : null, nextId ? `lastEventId=${encodeURIComponent(nextId)}` : null].filter(Boolean);
    const url = query.length ? `/events?${query.join("&")}` : "/events";
    const stream = new EventSource(url);
    stream.addEventListener("open", () => {
      failures = 0;
      onConnectionChange(true);
    });
    stream.addEventListener("error", () => {
      if (stream !== source) return;
      onConnectionChange(false);
      // While CONNECTING the browser retries by itself and sends Last-Event-ID; CLOSED means it gave up.
      if (stream.readyState === EventSource.CLOSED) reopenLater();
    });
    for (const name of ["post", "update", "remove", "reset", ...Object.keys(more)]) {
      stream.addEventListener(name, (event) => receive(name, event));
    }
    source = stream;
  }

  function reopenLater() {
    source?.close();
    source = null;
    clearTimeout(reopenTimer);
    if (closed) return;
    reopenTimer = setTimeout(async () => {
      if (await resync()) {
        if (!closed && !source) open();
      } else {
        reopenLater();
      }
    }, backoffDelay(failures++));
  }

  async function reload() {
    let ok = false;
    do {
      reloadAgain = false;
      held = [];
      let snapshot = null;
      try {
        snapshot = await loadSnapshot();
      } catch {
        snapshot = null; // loadSnapshot should not throw; if it does, it is one more failed attempt
      }
      ok = Boolean(snapshot) && !closed;
      if (!ok) break;
      onSnapshot(snapshot);
      nextId = snapshot.lastEventId ?? nextId;
      bridged = nextId;
      const replay = held;
      held = [];
      for (const { name, event } of replay) {
        if (!notAfter(event.lastEventId, snapshot.lastEventId)) dispatch(name, event);
      }
    } while (reloadAgain);
    held = [];
    return ok;
  }

  function resync() {
    if (!reloading) {
      reloading = reload().then((ok) => {
        reloading = null;
        // A stream still open while its reset could not be served would leave the page stale: start over.
        if (!ok && source) reopenLater();
        return ok;
      });
    }
    return reloading;
  }

  open();
  return {
    resync,
    close() {
      closed = true;
      clearTimeout(reopenTimer);
      source?.close();
      source = null;
    },
  };
}
