// js/moderation-older-held.js: "load older held posts" at the end of the list, for the held posts beyond the
// snapshot's page (the server pages them with `before`).

/**
 * Offers `button` while the last page of held posts was full, the list shows held posts (state filter "held"
 * or "all") and the store has room for another page (`heldCount() + pageSize <= maxHeld`; otherwise `status`
 * says so). A click (or Enter / Space) asks `load(beforeId)` for the next older page and hands its posts to
 * `onPage(posts)`; `status` says how many came, or that it failed. When no page follows, focus goes to
 * `onExhausted()`'s choice instead of being lost with the hidden button.
 * `reset({ more, oldestId })` after each snapshot; `setState(state)` when the state filter changes; `refresh()`
 * after the store changed (its held count decides whether there is room).
 */
export function createOlderHeld({ button, status, strings, load, onPage, onExhausted, heldCount, pageSize, maxHeld }) {
  let more = false;
  let cursor = null;
  let state = "all";
  let loading = false;
  let generation = 0; // a snapshot during a load makes that load's answer stale

  function refresh() {
    const listed = state === "held" || state === "all";
    const room = heldCount() + pageSize <= maxHeld;
    button.hidden = !(listed && more && cursor !== null && room);
    button.setAttribute("aria-disabled", String(loading));
    status.hidden = !listed;
    if (listed && more && !room) status.textContent = strings.olderHeldFull(maxHeld);
  }

  button.addEventListener("click", async () => {
    if (loading || button.hidden) return;
    const started = generation;
    loading = true;
    status.textContent = "";
    button.textContent = strings.loadingOlderHeld;
    refresh();
    const page = await load(cursor);
    loading = false;
    button.textContent = strings.loadOlderHeld;
    if (started !== generation) {
      refresh();
      return;
    }
    if (!page) {
      status.textContent = strings.olderHeldFailed;
      refresh();
      return;
    }
    more = page.more;
    cursor = page.oldestId ?? cursor;
    const focused = document.activeElement === button;
    onPage(page.posts);
    status.textContent = strings.olderHeldLoaded(page.posts.length);
    refresh();
    if (focused && button.hidden) onExhausted();
  });

  return {
    reset({ more: hasMore, oldestId }) {
      generation += 1;
      more = hasMore;
      cursor = oldestId;
      status.textContent = "";
      refresh();
    },
    setState(value) {
      state = value;
      refresh();
    },
    refresh,
  };
}
