// js/spotlight.js: the projector's big card, cross-fading from one post to the next.

import { fitText } from "./fit-text.js";

const FADE_MS = 900; // a little longer than the CSS transition, so the old card is gone only once invisible

/**
 * Shows one card at a time in `stage`, made by `render(post)`, with `welcome` shown whenever there is none.
 * A new post fades in over the old one (opacity and transform only, CSS turns it off under reduced motion);
 * the same post shown again is redrawn in place. At most two cards are ever in `stage`. A post taken off the
 * wall (hidden by a moderator) is dropped at once, not faded: the room must not read it for another second.
 */
export function createSpotlight(stage, welcome, render, { answeringLabel = "" } = {}) {
  let current = null;
  let leaving = null;

  function retire(node) {
    if (!node) return;
    leaving?.remove();
    leaving = node;
    node.classList.add("is-leaving");
    setTimeout(() => {
      node.remove();
      if (leaving === node) leaving = null;
    }, FADE_MS);
  }

  return {
    /** Shows `post`; `answering`: it is the question being answered on stage, marked so. */
    show(post, { answering = false } = {}) {
      const node = render(post);
      node.classList.add("spot");
      if (answering) {
        node.classList.add("is-answering");
        const label = document.createElement("p");
        label.className = "answering-label";
        label.textContent = answeringLabel;
        node.prepend(label);
      }
      if (current && current.dataset.postId === post.id) {
        current.replaceWith(node);
        current = node;
        fitText(node);
        return;
      }
      node.classList.add("is-entering");
      stage.append(node);
      fitText(node); // also commits the entering state (it reads layout), so the transition runs
      node.classList.remove("is-entering");
      retire(current);
      current = node;
      welcome.hidden = true;
    },
    clear() {
      retire(current);
      current = null;
      welcome.hidden = false;
    },
    /** Removes post `id`'s card now, leaving or not; the caller shows the next post (or calls `clear`). */
    drop(id) {
      if (leaving?.dataset.postId === id) {
        leaving.remove();
        leaving = null;
      }
      if (current?.dataset.postId === id) {
        current.remove();
        current = null;
      }
    },
  };
}
