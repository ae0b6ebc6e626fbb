// js/moderation-store.js: every post the console knows, newest first, with its moderation state. Plain data, no DOM.

import { createPostSet } from "./post-set.js";

export const STATES = Object.freeze(["held", "visible", "hidden", "rejected"]);

/**
 * The console's posts, one per id, ordered by `compareNewestFirst`.
 * Bounds: at most `maxOthers` posts that are not held (overflow: the oldest of them is forgotten) and at
 * most `maxHeld` held posts (overflow: the oldest held post is forgotten here; it stays held on the server
 * and comes back with the next snapshot). Held posts are thus never pushed out by newer visible ones.
 */
export function createModerationStore({ maxOthers = 1000, maxHeld = 1000 } = {}) {
  const posts = createPostSet();
  let counts = tally();

  function tally() {
    const result = { all: posts.size, held: 0, visible: 0, hidden: 0, rejected: 0 };
    for (const post of posts.list()) result[post.state] += 1;
    return result;
  }

  function forget(post) {
    posts.remove(post.id);
    counts.all -= 1;
    counts[post.state] -= 1;
  }

  function trim() {
    counts = tally();
    while (counts.held > maxHeld) forget(posts.oldestWhere((post) => post.state === "held"));
    while (counts.all - counts.held > maxOthers) forget(posts.oldestWhere((post) => post.state !== "held"));
  }

  return {
    get: (id) => posts.get(id),
    /** A copy, newest first. */
    list: () => posts.list(),
    /** How many posts are in each state, and `all`. */
    counts: () => ({ ...counts }),
    /** Makes the store exactly `list` (trimmed to its bounds). */
    replaceAll(list) {
      posts.clear();
      for (const post of list) posts.upsert(post);
      trim();
    },
    /**
     * Adds the posts of `list` whose ids are not known yet (e.g. older posts of one state, fetched when its
     * filter is chosen); known posts are kept, since the event stream keeps them more current than a page.
     */
    addMissing(list) {
      for (const post of list) if (!posts.has(post.id)) posts.upsert(post);
      trim();
    },
    /** Adds `post` or replaces the post with its id. */
    upsert(post) {
      posts.upsert(post);
      trim();
    },
    /** Forgets post `id` (erased from the database). Returns whether it was known. */
    remove(id) {
      const post = posts.get(id);
      if (!post) return false;
      forget(post);
      return true;
    },
  };
}
