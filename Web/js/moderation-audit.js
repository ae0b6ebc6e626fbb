// js/moderation-audit.js: the audit panel (newest first, live) and, per post, the newest entry naming it.

import { formatAbsolute } from "./time.js";
import { formatAgo } from "./moderation-row.js";

// Bound of the post id → newest entry index that rows use for "hidden by Alice 5 s ago". Overflow rule: the
// post whose entry is the oldest known is forgotten first (its row then simply shows no "by" line).
const REMEMBERED_POSTS = 1000;

/**
 * Shows at most `max` entries in `list` (`<ol>`), one `<li>` each from `template`, newest (highest id) first;
 * `empty` is shown while there is none. Entries by this console's moderator (`setModerator`) are marked.
 * `lastFor(postId)` is the newest entry known for that post, including entries no longer on screen.
 */
export function createAuditPanel({ list, empty, template, strings, language, max = 50 }) {
  let entries = [];
  const nodes = new Map(); // entry id → node
  const byPost = new Map(); // post id → newest entry, oldest first in insertion order
  let me = "";

  function remember(entry) {
    if (!entry.postId || (byPost.get(entry.postId)?.id ?? -Infinity) >= entry.id) return;
    byPost.delete(entry.postId);
    byPost.set(entry.postId, entry);
    if (byPost.size > REMEMBERED_POSTS) byPost.delete(byPost.keys().next().value);
  }

  function render(entry) {
    const node = template.content.firstElementChild.cloneNode(true);
    node.dataset.action = entry.action;
    node.classList.toggle("is-mine", entry.moderator === me);
    const time = node.querySelector(".audit-time");
    time.dateTime = new Date(entry.atMs).toISOString();
    time.setAttribute("title", formatAbsolute(entry.atMs, language));
    time.textContent = formatAgo(entry.atMs, Date.now(), language);
    node.querySelector(".audit-who").textContent = entry.moderator;
    node.querySelector(".audit-summary").textContent = entry.summary || strings.pastActions[entry.action] || entry.action;
    return node;
  }

  function show(wanted) {
    entries = wanted.sort((a, b) => b.id - a.id).slice(0, max);
    const kept = new Set(entries.map((entry) => entry.id));
    for (const id of [...nodes.keys()]) if (!kept.has(id)) nodes.delete(id);
    for (const entry of entries) if (!nodes.has(entry.id)) nodes.set(entry.id, render(entry));
    list.replaceChildren(...entries.map((entry) => nodes.get(entry.id)));
    empty.hidden = entries.length > 0;
  }

  return {
    setModerator(name) {
      me = name;
    },
    /** Replaces everything with `list` (from a snapshot). */
    load(fresh) {
      nodes.clear();
      byPost.clear();
      for (const entry of [...fresh].sort((a, b) => a.id - b.id)) remember(entry);
      show([...fresh]);
    },
    /** Adds a live entry (ignored when its id is already there, as after a replay). */
    add(entry) {
      remember(entry);
      if (!entries.some((known) => known.id === entry.id)) show([entry, ...entries]);
    },
    lastFor: (postId) => byPost.get(postId),
    /**
     * Post `postId` was erased on its author's request: the entries naming it say only the action from now on,
     * as the server has rewritten them (the next snapshot brings its wording).
     */
    forgetPost(postId) {
      byPost.delete(postId);
      for (const entry of entries) {
        if (entry.postId !== postId) continue;
        entry.summary = strings.auditErasedPost(strings.pastActions[entry.action] ?? entry.action);
        nodes.get(entry.id).querySelector(".audit-summary").textContent = entry.summary;
      }
    },
    /** Rewrites the entries' relative times. */
    refresh(nowMs = Date.now()) {
      for (const entry of entries) nodes.get(entry.id).querySelector(".audit-time").textContent = formatAgo(entry.atMs, nowMs, language);
    },
  };
}
