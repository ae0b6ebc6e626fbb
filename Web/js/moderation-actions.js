// js/moderation-actions.js: what a row button or a key does: the request, the ban and erase confirmations, the outcome shown.

import { describeFailure } from "./moderation-api.js";
import { actionsFor, questionAction } from "./moderation-row.js";

const BAN_CONFIRM_MS = 2000;

/**
 * `run(post, action)` for the row actions (hide, show, approve, reject, pin, unpin, question, unquestion, ban,
 * unban, erase) and `undo()`.
 * - "question" is the toggle of the Question button and the key q: it unmarks an open question, else marks the post.
 * - An action that does not apply to the post's state is refused here with a short message, no request.
 * - `ban` needs a second `run(post, "ban")` on the same post within 2 s (the key b twice, or the button,
 *   which reads "Confirm" meanwhile); unban does not.
 * - The same action on the same post is not sent twice while the first is in flight.
 * - `erase` sends nothing here: `askErase(post)` opens its confirmation dialog (moderation-erase.js), which does.
 * - On success the answer's post goes into `store` (then `onChange()`), unless the event stream already
 *   brought a newer state of that post meanwhile; on failure a toast shows the server's error. A 401 shows
 *   nothing here: the api's `onUnauthorized` takes the moderator back to the login form.
 */
export function createActions({ api, store, list, toasts, strings, onChange, askErase }) {
  const inFlight = new Set();
  let pendingBan = null; // { id, timer }

  function markBanPending(id, pending) {
    const button = list.node(id)?.querySelector('button[data-action="ban"]');
    if (!button) return;
    button.classList.toggle("is-confirming", pending);
    button.querySelector(".act-label").textContent = pending ? strings.banConfirm : strings.actions.ban;
  }

  function clearPendingBan() {
    if (!pendingBan) return;
    clearTimeout(pendingBan.timer);
    markBanPending(pendingBan.id, false);
    pendingBan = null;
  }

  /** True on the second ban of the same post within 2 s; otherwise asks for confirmation and returns false. */
  function banConfirmed(post) {
    const confirmed = pendingBan?.id === post.id;
    clearPendingBan();
    if (confirmed) return true;
    pendingBan = { id: post.id, timer: setTimeout(clearPendingBan, BAN_CONFIRM_MS) };
    markBanPending(post.id, true);
    toasts.show(strings.banPrompt(post.author.name || strings.anonymous));
    return false;
  }

  function fail(answer) {
    if (answer.status !== 401) toasts.show(describeFailure(answer, strings), { error: true });
  }

  async function send(post, action) {
    if (action === "ban" || action === "unban") {
      const answer = await api.author(post.id, action === "ban");
      if (!answer.ok) return fail(answer);
      toasts.show((action === "ban" ? strings.banned : strings.unbanned)(answer.affected));
      return;
    }
    const before = store.get(post.id);
    const answer = await api.act(post.id, action);
    if (!answer.ok) return fail(answer);
    if (answer.post && store.get(post.id) === before) {
      store.upsert(answer.post);
      onChange();
    }
  }

  return {
    async run(post, action) {
      if (!post) return toasts.show(strings.noSelection);
      if (action === "question") action = questionAction(post);
      if (!actionsFor(post).has(action)) return toasts.show(strings.notApplicable(strings.actions[action]));
      if (action === "ban" && !banConfirmed(post)) return;
      if (action === "erase") return askErase(post);
      const key = `${action} ${post.id}`;
      if (inFlight.has(key)) return;
      inFlight.add(key);
      list.node(post.id)?.setAttribute("aria-busy", "true");
      try {
        await send(post, action);
      } finally {
        inFlight.delete(key);
        list.node(post.id)?.removeAttribute("aria-busy");
      }
    },
    /** Undoes this moderator's last action; the stream brings the posts it changes back. */
    async undo() {
      const answer = await api.undo();
      if (!answer.ok) return fail(answer);
      toasts.show(strings.undone(answer.undone?.summary ?? ""));
    },
  };
}
