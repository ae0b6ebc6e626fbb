// js/rotation.js: which post the projector's spotlight shows, and for how long. No DOM.

const BASE_DWELL_MS = 6000;
const DWELL_PER_CHAR_MS = 60;
const MAX_DWELL_MS = 20000;

/** How long a post stays in the spotlight: 6 s plus 60 ms per character, at most 20 s. */
export function dwellMs(text) {
  return Math.min(MAX_DWELL_MS, BASE_DWELL_MS + DWELL_PER_CHAR_MS * [...text].length);
}

/** The posts the spotlight cycles through: pinned ones first (at most `maxPinned`), then the newest, `size` in all. */
export function rotationOrder(posts, { size = 8, maxPinned = 4 } = {}) {
  const pinned = posts.filter((post) => post.pinned).slice(0, maxPinned);
  const others = posts.filter((post) => !post.pinned).slice(0, Math.max(size - pinned.length, size / 2));
  return [...pinned, ...others];
}

/**
 * Drives the spotlight. `candidates()` gives the posts to cycle through (newest first), `lookup(id)` a post by id;
 * `show(post)` and `clear()` change the screen. Guarantees:
 * - each post stays `dwellMs(text)`, then the next in `candidates()` follows (wrapping round);
 * - `fresh(id)` (a new post) is shown at once, or as soon as the current one has had `minShowMs`, so a burst
 *   stays readable; while fresh posts wait, each is shown for the base 6 s only, and at most `maxFresh` wait
 *   (the oldest waiting is skipped; it is still in the cycle);
 * - `removed(id)` takes the post off screen at once; `updated(post)` redraws it when it is on screen.
 */
export function createRotation({ candidates, lookup, show, clear, minShowMs = 4000, maxFresh = 3, timers = globalThis }) {
  let currentId = null;
  let shownAt = 0;
  let dueAt = 0;
  let timer = 0;
  let waiting = [];

  function schedule(ms) {
    timers.clearTimeout(timer);
    dueAt = Date.now() + ms;
    timer = timers.setTimeout(advance, ms);
  }

  function display(post) {
    currentId = post.id;
    shownAt = Date.now();
    show(post);
    schedule(waiting.length > 0 ? BASE_DWELL_MS : dwellMs(post.text));
  }

  function advance() {
    while (waiting.length > 0) {
      const post = lookup(waiting.shift());
      if (post) return display(post);
    }
    const order = candidates();
    if (order.length === 0) {
      timers.clearTimeout(timer);
      currentId = null;
      clear();
      return;
    }
    const index = order.findIndex((post) => post.id === currentId);
    display(order[(index + 1) % order.length]);
  }

  return {
    get currentId() {
      return currentId;
    },
    /** `now`: shown at once, whatever the current post has had (the stage's question being answered). */
    fresh(id, { now = false } = {}) {
      waiting = waiting.filter((waitingId) => waitingId !== id);
      const wait = currentId === null || now ? 0 : shownAt + minShowMs - Date.now();
      const post = lookup(id);
      if (wait <= 0 && post) {
        display(post);
        return;
      }
      waiting.push(id);
      if (waiting.length > maxFresh) waiting.shift();
      if (Date.now() + wait < dueAt) schedule(wait);
    },
    updated(post) {
      if (post.id === currentId) show(post);
    },
    removed(id) {
      waiting = waiting.filter((waitingId) => waitingId !== id);
      if (id === currentId) advance();
    },
    /** After the posts were replaced: keep the current post if it is still there, otherwise move on. */
    refresh() {
      const current = currentId === null ? undefined : lookup(currentId);
      if (current) show(current);
      else advance();
    },
  };
}
