// js/cards.js: post id → card node in one container, kept in the wall's order and bounded.

import { createPostSet } from "./post-set.js";

/**
 * The cards of `container`, newest first, one per post id, at most `max` of them.
 * `render(post)` makes a card; a card is made again only when its post object changes.
 * Every method keeps the DOM order equal to `compareNewestFirst` order.
 */
export function createCardList(container, { render, max }) {
  const posts = createPostSet();
  const cards = new Map(); // id → { post, node }

  function put(post) {
    const index = posts.upsert(post);
    const previous = cards.get(post.id);
    const node = previous?.post === post ? previous.node : render(post);
    if (previous && previous.node !== node) previous.node.remove();
    const next = posts.at(index + 1);
    const anchor = next ? cards.get(next.id).node : null;
    if (node.parentNode !== container || node.nextSibling !== anchor) container.insertBefore(node, anchor);
    cards.set(post.id, { post, node });
  }

  function drop(id) {
    const card = cards.get(id);
    if (!card) return false;
    card.node.remove();
    cards.delete(id);
    posts.remove(id);
    return true;
  }

  // Overflow rule for live inserts: the oldest card goes (it is the one furthest from the reader).
  function trimOldest() {
    while (posts.size > max) drop(posts.last().id);
  }

  return {
    get size() {
      return posts.size;
    },
    has: (id) => posts.has(id),
    get: (id) => posts.get(id),
    node: (id) => cards.get(id)?.node ?? null,
    first: () => posts.first(),
    last: () => posts.last(),
    list: () => posts.list(),
    /** Inserts `post` in its place, or replaces the card with its id. Returns whether it is on the page afterwards. */
    upsert(post) {
      put(post);
      trimOldest();
      return posts.has(post.id);
    },
    remove: drop,
    /**
     * Adds older posts at the bottom (from "load older"). Overflow rule here: the newest cards go, since the
     * reader is at the bottom. Returns how many were dropped from the top.
     */
    appendOlder(list) {
      for (const post of list) put(post);
      let dropped = 0;
      while (posts.size > max) {
        drop(posts.first().id);
        dropped += 1;
      }
      return dropped;
    },
    /** Makes the list exactly `list` (then trimmed to `max`), keeping the nodes of posts that did not change. */
    replaceAll(list) {
      const wanted = new Set(list.map((post) => post.id));
      for (const id of [...cards.keys()]) if (!wanted.has(id)) drop(id);
      for (const post of list) put(post);
      trimOldest();
    },
  };
}
