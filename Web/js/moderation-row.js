// js/moderation-row.js: one moderated post → one row of the console's list, cloned from <template id="mod-row">.
// Post data goes in only through textContent and dataset; the post itself is rendered by render-post.js.

import { renderPost } from "./render-post.js";
import { formatRelative } from "./time.js";

/** True while `post` is a question for the stage not yet answered. */
export function isOpenQuestion(post) {
  return post.question !== null && post.question !== undefined && post.question.doneAt === null;
}

/** What the Question toggle (its button, the key q) sends for `post`: unmark an open question, else mark it. */
export function questionAction(post) {
  return isOpenQuestion(post) ? "unquestion" : "question";
}

/**
 * The actions that apply to `post` in its state: exactly what its buttons and keys offer. "question" is the
 * toggle (button and key q), applicable when `questionAction(post)` is; "erase" is only a button, never a key.
 */
export function actionsFor(post) {
  const actions = new Set();
  if (post.state === "held") actions.add("approve").add("reject");
  if (post.state === "visible") actions.add("hide");
  if (post.state === "hidden" || post.state === "rejected") actions.add("show"); // the server's rule: approve is for held posts only
  if (post.pinned) actions.add("unpin");
  else if (post.state === "visible") actions.add("pin");
  actions.add(post.authorBanned ? "unban" : "ban");
  // Only a visible post can be marked (the server's rule); an open question can be unmarked in any state.
  if (isOpenQuestion(post)) actions.add("unquestion").add("question");
  else if (post.state === "visible") actions.add("question");
  actions.add("erase");
  return actions;
}

/** "42 s", "3 min 05 s", "1 h 02 min": how long something has waited, to the second. */
export function formatDuration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

const secondFormats = new Map();

/** "il y a 5 s" / "5 sec ago" under a minute (time.js says only "à l'instant" there), time.js's wording after. */
export function formatAgo(thenMs, nowMs, language) {
  const seconds = Math.floor((nowMs - thenMs) / 1000);
  if (seconds >= 60) return formatRelative(thenMs, nowMs, language);
  if (!secondFormats.has(language)) secondFormats.set(language, new Intl.RelativeTimeFormat(language, { style: "short", numeric: "auto" }));
  return secondFormats.get(language).format(-Math.max(0, seconds), "second").replace("sec.", "sec");
}

/**
 * `render(post)` makes a row; `refreshLive(row, post, nowMs)` rewrites its parts that change with time or
 * with the audit log: how long a held post has waited, and who did the last action on it
 * (`lastActionFor(postId)` gives the newest audit entry naming the post, or undefined).
 */
export function createRowRenderer({ rowTemplate, cardTemplate, strings, language, lastActionFor }) {
  for (const button of rowTemplate.content.querySelectorAll("button[data-action]")) {
    button.querySelector(".act-label").textContent = strings.actions[button.dataset.action];
  }

  function refreshLive(row, post, nowMs) {
    const heldFor = row.querySelector(".held-for");
    if (post.state === "held" && post.heldSinceMs !== null) heldFor.textContent = strings.heldFor(formatDuration(nowMs - post.heldSinceMs));
    const entry = lastActionFor(post.id);
    const verb = entry && strings.pastActions[entry.action];
    const last = row.querySelector(".last-action");
    last.textContent = verb ? strings.lastAction(verb, entry.moderator, formatAgo(entry.atMs, nowMs, language)) : "";
    last.hidden = !verb;
  }

  function render(post) {
    const row = rowTemplate.content.firstElementChild.cloneNode(true);
    row.dataset.postId = post.id;
    row.dataset.state = post.state;
    row.querySelector(".pill").textContent = strings.states[post.state];
    const held = row.querySelector(".held-info");
    if (post.state === "held") {
      if (post.heldBecause) row.querySelector(".held-reason").textContent = post.heldBecause;
      else row.querySelector(".held-reason").remove();
      if (post.heldSinceMs === null) row.querySelector(".held-for").remove();
    } else {
      held.remove();
    }
    if (!post.authorBanned) row.querySelector(".flag-banned").remove();
    if (!post.authorTrusted) row.querySelector(".flag-trusted").remove();
    const badge = row.querySelector(".question-badge");
    if (post.question) {
      badge.dataset.question = post.question.doneAt === null ? "open" : "done";
      badge.textContent = post.question.doneAt === null ? strings.questionOpen : strings.questionDone;
    } else {
      badge.remove();
    }
    const card = renderPost(cardTemplate, post, { language, links: false, sensitive: "show" });
    // Moderators read what is behind a content warning before anyone else does: open.
    card.querySelector("details.content-warning")?.setAttribute("open", "");
    row.querySelector(".row-card").append(card);
    const applicable = actionsFor(post);
    for (const button of row.querySelectorAll("button[data-action]")) {
      if (!applicable.has(button.dataset.action)) button.remove();
    }
    // A toggle with one label: pressed while the post is an open question.
    row.querySelector('button[data-action="question"]')?.setAttribute("aria-pressed", String(isOpenQuestion(post)));
    refreshLive(row, post, Date.now());
    return row;
  }

  return { render, refreshLive };
}
