// js/projector-stage.js: the projector's posts: the spotlight rotation plus the column of the most recent.

import { fitText } from "./fit-text.js";
import { createPostSet } from "./post-set.js";
import { createRotation, rotationOrder } from "./rotation.js";

const COLUMN_SIZE = 6;
// Bound: the newest 30 posts plus any pinned ones (at most 8 kept); older posts are forgotten.
const MAX_POSTS = 30;
const MAX_PINNED = 8;

/**
 * Keeps the posts the projector needs and shows them: `spotlight` (from `createSpotlight`) cycles through
 * `rotationOrder`, `column` (a `createCardList` with max 6) shows the six most recent, the spotlit one marked.
 * Returns `load(posts)`, `receive(post)`, `update(post)`, `remove(id)`: the handlers for snapshots and events, and
 * `answer(post)`: while the stage answers a question (`post`, or `null` when done) the spotlight holds it alone.
 */
export function createStage({ spotlight, column }) {
  const posts = createPostSet();
  let answering = null;
  /** Active announcements, as spotlight items (`announcement: true`), shown first in each round of the rotation. */
  let announcements = [];

  function trim() {
    while (posts.size > MAX_POSTS) {
      const pinnedCount = posts.list().filter((post) => post.pinned).length;
      const victim = pinnedCount > MAX_PINNED ? posts.oldestWhere((post) => post.pinned) : posts.oldestWhere((post) => !post.pinned);
      posts.remove((victim ?? posts.last()).id);
    }
  }

  function markSpotlit() {
    for (const post of column.list()) column.node(post.id)?.classList.toggle("is-spotlit", post.id === rotation.currentId);
  }

  function syncColumn() {
    column.replaceAll(posts.list().slice(0, COLUMN_SIZE));
    for (const post of column.list()) fitText(column.node(post.id));
    markSpotlit();
  }

  const rotation = createRotation({
    candidates: () => (answering ? [answering] : [...announcements, ...rotationOrder(posts.list())]),
    lookup: (id) => (answering?.id === id ? answering : (announcements.find((item) => item.id === id) ?? posts.get(id))),
    show(post) {
      spotlight.show(post, { answering: post.id === answering?.id });
      markSpotlit();
    },
    clear() {
      spotlight.clear();
      markSpotlit();
    },
  });

  return {
    load(list) {
      posts.clear();
      for (const post of list) posts.upsert(post);
      trim();
      syncColumn();
      rotation.refresh();
    },
    receive(post) {
      const isNew = !posts.has(post.id);
      posts.upsert(post);
      trim();
      if (!posts.has(post.id)) return; // older than everything kept
      syncColumn();
      if (answering) return; // the question being answered holds the spotlight
      if (isNew) rotation.fresh(post.id);
      else rotation.updated(post);
    },
    update(post) {
      if (answering?.id === post.id) {
        answering = post;
        rotation.updated(post);
      }
      if (!posts.has(post.id)) return;
      posts.upsert(post);
      syncColumn();
      rotation.updated(post);
    },
    remove(id) {
      if (answering?.id === id) {
        answering = null;
        spotlight.drop(id);
        rotation.removed(id);
      }
      if (!posts.remove(id)) return;
      spotlight.drop(id);
      syncColumn();
      rotation.removed(id);
    },
    /** The active announcements now (`createAnnouncements().active()`), as the rotation's first items. */
    announce(list) {
      const previous = new Set(announcements.map((item) => item.id));
      announcements = list.map((item) => ({ ...item, id: `announcement:${item.id}`, announcement: true }));
      const current = rotation.currentId;
      const showing = announcements.find((item) => item.id === current);
      if (current?.startsWith("announcement:") && !showing) rotation.removed(current); // ended or deleted: off at once
      else if (showing) rotation.updated(showing); // edited: redrawn
      const fresh = announcements.find((item) => !previous.has(item.id));
      if (fresh && !answering) rotation.fresh(fresh.id);
      else if (rotation.currentId === null) rotation.refresh();
    },
    answer(post) {
      if ((post?.id ?? null) === (answering?.id ?? null)) {
        if (post) {
          answering = post;
          rotation.updated(post);
        }
        return;
      }
      const previous = answering;
      answering = post;
      if (post) rotation.fresh(post.id, { now: true });
      else if (previous) rotation.removed(previous.id); // back to the rotation
    },
  };
}
