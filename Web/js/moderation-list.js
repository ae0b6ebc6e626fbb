// js/moderation-list.js: the console's rows: which posts match the filters, which row is selected, at most ~300 rows.

import { createCardList } from "./cards.js";

const folded = new WeakMap(); // post object → its searchable text, folded once

/** Lower case without accents or other combining marks, so "Noel" finds "Noël" and "ECOLE" finds "école". */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function searchable(post) {
  if (!folded.has(post)) folded.set(post, fold(`${post.author.name}\n${post.author.handle ?? ""}\n${post.text}`));
  return folded.get(post);
}

/**
 * Shows the posts of `store` that match the filter in `container`, one row each from `renderer.render`,
 * newest first: every matching held post (never dropped while held), then the newest other matching posts
 * up to `maxRows` rows in all. Changes are drawn once per animation frame, however many arrive.
 *
 * Selection: one row at most, moved by `move(±1)`, by focus or by a click. When the selected row leaves the
 * list (its post changed state, or the filter changed) the selection goes to the row that followed it, or the
 * one before when it was last, and focus follows (and the list scrolls) only if focus was in that row, so
 * another moderator's action never scrolls the list away from what this one is reading. A row redrawn in
 * place keeps focus, on the same button when it still has one.
 *
 * `onAction(post, action)` runs for a click on a row's `button[data-action]`; `onSync({ shown, matching })`
 * after each redraw.
 */
export function createModerationList({ container, store, renderer, onAction, onSync = () => {}, maxRows = 300 }) {
  const rows = createCardList(container, { render: renderer.render, max: Infinity });
  const filter = { state: "all", channel: "", query: "" };
  let selectedId = null;
  let markedNode = null;
  let frame = 0;

  function matches(post) {
    if (filter.state !== "all" && post.state !== filter.state) return false;
    if (filter.channel && post.channel !== filter.channel) return false;
    return filter.query === "" || searchable(post).includes(filter.query);
  }

  function wanted() {
    const matching = store.list().filter(matches);
    let budget = maxRows - matching.filter((post) => post.state === "held").length;
    return { shown: matching.filter((post) => post.state === "held" || budget-- > 0), matching: matching.length };
  }

  /** The id after `id` in `order` that is still in `kept`, else the nearest one before it, else null. */
  function neighbour(order, kept, id) {
    const index = order.indexOf(id);
    const after = order.slice(index + 1).find((other) => kept.has(other));
    return after ?? order.slice(0, Math.max(0, index)).findLast((other) => kept.has(other)) ?? null;
  }

  function markSelection() {
    const node = selectedId ? rows.node(selectedId) : null;
    if (node === markedNode) return;
    markedNode?.classList.remove("is-selected");
    markedNode?.removeAttribute("aria-current");
    node?.classList.add("is-selected");
    node?.setAttribute("aria-current", "true");
    markedNode = node;
  }

  function reveal(node) {
    node.focus({ preventScroll: true });
    node.scrollIntoView({ block: "nearest" });
  }

  function sync() {
    frame = 0;
    const { shown, matching } = wanted();
    const kept = new Set(shown.map((post) => post.id));
    const active = document.activeElement;
    const focusedRow = container.contains(active) ? active.closest(".mod-row") : null;
    const focusedAction = focusedRow ? active.dataset.action : undefined;
    const selectionLeft = selectedId !== null && !kept.has(selectedId);
    if (selectionLeft) selectedId = neighbour(rows.list().map((post) => post.id), kept, selectedId);

    rows.replaceAll(shown);
    markSelection();

    // The focused row was redrawn (a new node) or left: put focus back where the moderator expects it.
    if (focusedRow && !focusedRow.isConnected) {
      const same = rows.node(focusedRow.dataset.postId);
      const target = same ? (same.querySelector(`button[data-action="${focusedAction}"]`) ?? same) : selectedId ? rows.node(selectedId) : null;
      if (target) reveal(target);
      else container.focus({ preventScroll: true });
    }
    onSync({ shown: shown.length, matching });
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(sync);
  }

  function select(id, { focus = false } = {}) {
    selectedId = id;
    markSelection();
    if (focus && markedNode) reveal(markedNode);
  }

  container.addEventListener("focusin", (event) => {
    const row = event.target.closest(".mod-row");
    if (row) select(row.dataset.postId);
  });
  container.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const row = event.target.closest(".mod-row");
    if (!row) return;
    select(row.dataset.postId);
    const post = store.get(row.dataset.postId);
    if (button && post) onAction(post, button.dataset.action);
  });

  return {
    /** Redraws at the next frame; call after any change to the store. */
    schedule,
    /** Changes some of `{ state, channel, query }` (query as typed; it is folded here). */
    setFilter(change) {
      if ("query" in change) change = { ...change, query: fold(change.query.trim()) };
      Object.assign(filter, change);
      schedule();
    },
    /** The selected post, when its row is on the page. */
    selected: () => (selectedId && rows.has(selectedId) ? store.get(selectedId) : null),
    /** Moves the selection one row down (+1) or up (-1), focusing and revealing it; from no selection, the first row. */
    move(delta) {
      const ids = rows.list().map((post) => post.id);
      if (ids.length === 0) return;
      const index = ids.indexOf(selectedId);
      const next = index < 0 ? 0 : Math.min(ids.length - 1, Math.max(0, index + delta));
      select(ids[next], { focus: true });
    },
    /** Focuses the selected row (or the list when none), e.g. on leaving the search box. */
    focusSelection() {
      if (markedNode) reveal(markedNode);
      else container.focus({ preventScroll: true });
    },
    node: (id) => rows.node(id),
    /** Rewrites the time-dependent parts of every row, or only of post `id`'s row. */
    refreshLive(nowMs = Date.now(), id = null) {
      for (const post of id ? [rows.get(id)].filter(Boolean) : rows.list()) renderer.refreshLive(rows.node(post.id), post, nowMs);
    },
  };
}
