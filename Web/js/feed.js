// js/feed.js: the follower wall's behaviour around its card list: new posts queued while the reader is
// scrolled down, "load older posts", reloads after a reset, the empty state.

import { compareNewestFirst, createPostSet } from "./post-set.js";

const SCROLLED_DOWN_PX = 200;

/**
 * Wires `list` (from `createCardList`) to the page's controls in `elements`
 * (`loading`, `empty`, `newPosts`, `older`, `olderStatus`, `cards`) and returns the handlers for the data:
 * `show(snapshot)` once, then `receive(post)`, `update(post)`, `remove(id)` and `resync(snapshot)` from the events.
 *
 * - While `window.scrollY > 200`, posts not yet on the page wait in a queue (at most `maxPending`) behind a
 *   "N new posts" button instead of pushing the content down; scrolling back up or the button inserts them.
 * - "Load older" appends `loadOlder(beforeId)`; when the list is full that drops the newest cards, the page is then
 *   "detached" from the newest posts and the button asks `reloadNewest()` for a fresh snapshot instead.
 */
export function createFeed({ list, elements, strings, announce, loadOlder, reloadNewest, maxPending = 200 }) {
  const pending = createPostSet();
  let detached = false; // the newest cards were dropped: the top of the page is not the top of the wall
  let jumping = false; // the reader asked for the newest posts; the next snapshot replaces the list
  let exhausted = false; // the server has nothing older than the last card
  let loaded = false;

  function refresh() {
    const { newPosts, empty, older } = elements;
    newPosts.hidden = pending.size === 0 && !detached;
    newPosts.textContent = pending.size > 0 ? strings.newPosts(pending.size) : strings.backToNewest;
    newPosts.disabled = jumping;
    empty.hidden = !loaded || list.size > 0 || pending.size > 0 || detached;
    older.hidden = !loaded || exhausted || list.size === 0;
  }

  function scrollToTop() {
    window.scrollTo(0, 0); // smooth or not is decided by CSS (prefers-reduced-motion)
    elements.cards.focus({ preventScroll: true });
  }

  function queue(post) {
    pending.upsert(post);
    // Overflow rule: past maxPending the queue cannot be inserted without a gap, so drop its oldest
    // and detach: the button will then reload the newest posts from the server.
    if (pending.size > maxPending) {
      pending.remove(pending.last().id);
      detached = true;
    }
  }

  function place(post, fresh) {
    if (detached || window.scrollY > SCROLLED_DOWN_PX) {
      queue(post);
    } else if (list.upsert(post) && fresh) {
      list.node(post.id)?.classList.add("is-new");
    }
  }

  function flushPending() {
    for (const post of pending.list()) list.upsert(post);
    pending.clear();
    refresh();
  }

  function replace(snapshot) {
    list.replaceAll(snapshot.posts);
    pending.clear();
    exhausted = snapshot.complete;
    detached = false;
    elements.olderStatus.textContent = "";
  }

  // A reload after a reset: drop what the snapshot says is gone, refresh what changed, add what we missed.
  function merge(snapshot) {
    const ids = new Set(snapshot.posts.map((post) => post.id));
    const oldest = snapshot.posts[snapshot.posts.length - 1];
    const covered = (post) => snapshot.complete || (oldest && compareNewestFirst(post, oldest) <= 0);
    for (const post of list.list()) if (!ids.has(post.id) && covered(post)) list.remove(post.id);
    for (const post of pending.list()) if (!ids.has(post.id) && covered(post)) pending.remove(post.id);
    for (const post of snapshot.posts) {
      if (list.has(post.id)) list.upsert(post);
      else if (pending.has(post.id)) pending.upsert(post);
      else if (!detached) place(post, false); // when detached, the jump to the newest will fetch them anyway
    }
  }

  elements.newPosts.addEventListener("click", async () => {
    if (!detached) {
      flushPending();
      scrollToTop();
      return;
    }
    jumping = true;
    refresh();
    if (!(await reloadNewest())) {
      jumping = false;
      refresh();
    }
  });

  elements.older.addEventListener("click", async () => {
    const last = list.last();
    if (!last) return;
    const { older, olderStatus } = elements;
    older.disabled = true;
    olderStatus.textContent = strings.loadingOlder;
    const page = await loadOlder(last.id);
    older.disabled = false;
    if (!page) {
      olderStatus.textContent = strings.olderFailed;
      return;
    }
    if (list.appendOlder(page.posts) > 0) detached = true;
    exhausted = page.complete;
    olderStatus.textContent = exhausted ? strings.noOlder : "";
    refresh();
  });

  let scrollQueued = false;
  window.addEventListener("scroll", () => {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      if (window.scrollY <= SCROLLED_DOWN_PX && pending.size > 0 && !detached) flushPending();
    });
  }, { passive: true });

  return {
    show(snapshot) {
      loaded = true;
      elements.loading.hidden = true;
      replace(snapshot);
      refresh();
    },
    receive(post) {
      if (list.has(post.id)) list.upsert(post);
      else if (pending.has(post.id)) pending.upsert(post);
      else {
        announce(post);
        place(post, true);
      }
      refresh();
    },
    update(post) {
      if (list.has(post.id)) list.upsert(post);
      else if (pending.has(post.id)) pending.upsert(post);
    },
    remove(id) {
      if (!list.remove(id)) pending.remove(id);
      refresh();
    },
    resync(snapshot) {
      if (jumping) {
        jumping = false;
        replace(snapshot);
        scrollToTop();
      } else {
        merge(snapshot);
      }
      refresh();
    },
  };
}
