// js/moderation-keys.js: the console's keyboard: one key per action, ignored while typing in a field.

const ACTION_KEYS = { h: "hide", s: "show", a: "approve", r: "reject" };
const TYPING = "textarea, select, [contenteditable]:not([contenteditable='false']), input:not([type='radio'], [type='checkbox'], [type='button'], [type='submit'])";

/**
 * j / k move the selection; h, s, a, r hide, show, approve, reject it; p pins or unpins; q marks it as a question
 * for the stage or unmarks it; b bans (twice) or unbans its author; u undoes; / goes to `search` and Escape leaves
 * it; ? opens or closes `help` (a <dialog>). Erasing an author has no key: it is irreversible.
 * Keys with Ctrl, Alt or Meta are left to the browser, and so is every key while a text field, a select or the
 * help has focus (except Escape in the search box and ? in the help), or while another dialog (the erasure's
 * confirmation) is open, and all of them while `root` (the console) is hidden behind the login form. Held action
 * keys do not repeat.
 */
export function bindKeys({ root, list, actions, search, help }) {
  document.addEventListener("keydown", (event) => {
    if (root.hidden || event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (event.target instanceof Element && event.target.closest(TYPING)) {
      if (key === "Escape" && event.target === search) {
        event.preventDefault(); // keeps the query: Escape in a search field would clear it
        list.focusSelection();
      }
      return;
    }
    if (help.open) {
      if (key === "?") {
        event.preventDefault();
        help.close();
      }
      return;
    }
    if (document.querySelector("dialog[open]")) return; // a confirmation is asking: its own buttons answer it
    const post = list.selected();
    if (event.repeat && key !== "j" && key !== "k") return;
    if (key === "j" || key === "k") list.move(key === "j" ? 1 : -1);
    else if (key in ACTION_KEYS) actions.run(post, ACTION_KEYS[key]);
    else if (key === "p") actions.run(post, post?.pinned ? "unpin" : "pin");
    else if (key === "q") actions.run(post, "question"); // the toggle: unmarks an open question, else marks
    else if (key === "b") actions.run(post, post?.authorBanned ? "unban" : "ban");
    else if (key === "u") actions.undo();
    else if (key === "/") search.focus();
    else if (key === "?") help.showModal();
    else return;
    event.preventDefault();
  });
}

/** The help button and the dialog's own close button. */
export function bindHelp({ help, open, close }) {
  open.addEventListener("click", () => help.showModal());
  close.addEventListener("click", () => help.close());
}
