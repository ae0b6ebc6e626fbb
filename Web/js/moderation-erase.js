// js/moderation-erase.js: erasing an author (an erasure request, irreversible): the confirmation in a modal <dialog>,
// then the request. Author names come from posts: text only (textContent), never markup.

import { describeFailure } from "./moderation-api.js";

/**
 * `ask(post)` opens `dialog` (moderate.html's `#erase-dialog`) about the author of `post`: their name and handle, and
 * what erasing means. Focus starts on `cancel`: nothing is sent until `confirm` is pressed. Cancel, Escape or
 * `close()` send nothing. On `confirm` the request goes once (the dialog stays open, its buttons inert, until the
 * server answers), then the dialog closes and a toast says how many posts went, or why nothing did (a 401 says
 * nothing: the login form takes over). The posts themselves leave the console with the stream's `remove` events.
 * `dropped(id)`: post `id` was erased meanwhile (by another moderator): a dialog still asking about it closes.
 * `onFocusLost()` runs when the dialog has closed and focus could not go back to the button that opened it (its
 * row left with the erased posts): the caller puts it back in the list.
 */
export function createEraseDialog({ elements, api, toasts, strings, onFocusLost = () => {} }) {
  const { dialog, author, handle, confirm, cancel } = elements;
  let pending = null; // the post whose author the open dialog is about
  let sending = false;

  function setSending(value) {
    sending = value;
    // aria-disabled, not disabled: the focused button keeps focus, so the dialog does not drop it to <body>.
    for (const button of [confirm, cancel]) button.setAttribute("aria-disabled", String(value));
    confirm.textContent = value ? strings.erasing : strings.eraseConfirm;
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  dialog.addEventListener("cancel", (event) => {
    if (sending) event.preventDefault(); // the request is on its way: wait for its answer
  });
  dialog.addEventListener("close", () => {
    if (dialog.open) return; // `ask` opened it again before this event's turn came
    if (!sending) pending = null;
    // Focus goes back to the button that opened the dialog; when that button left with its row, it stays on
    // the closed dialog's button (Chrome) or falls to <body>.
    const active = document.activeElement;
    if (!active || active === document.body || dialog.contains(active)) onFocusLost();
  });
  cancel.addEventListener("click", () => {
    if (!sending) close();
  });
  confirm.addEventListener("click", async () => {
    if (!pending || sending) return;
    setSending(true);
    const answer = await api.eraseAuthor(pending.id);
    setSending(false);
    pending = null;
    close();
    if (answer.ok) toasts.show(strings.erased(answer.erased));
    else if (answer.status !== 401) toasts.show(describeFailure(answer, strings), { error: true });
  });

  return {
    ask(post) {
      if (sending) return;
      pending = post;
      author.textContent = post.author.name || strings.anonymous;
      handle.textContent = post.author.handle ?? "";
      handle.hidden = !post.author.handle;
      if (!dialog.open) dialog.showModal();
    },
    dropped(id) {
      if (sending || pending?.id !== id) return;
      close();
      toasts.show(strings.eraseGone);
    },
    /** Closes without sending anything (the console stops). */
    close() {
      if (!sending) close();
    },
  };
}
