// js/moderation-preview.js: "on screen now", a small copy of what the projector's column shows.

import { createCardList } from "./cards.js";

/**
 * Shows the `size` newest visible posts in `container` as cards made by `render(post)`; `empty` while there
 * are none. `setDelay(seconds)` says when the projector runs late (its delay setting), and hides the note at 0.
 */
export function createPreview({ container, empty, note, render, strings, size = 6 }) {
  const cards = createCardList(container, { render, max: size });
  return {
    update(posts) {
      cards.replaceAll(posts.filter((post) => post.state === "visible").slice(0, size));
      empty.hidden = cards.size > 0;
    },
    setDelay(seconds) {
      note.textContent = seconds > 0 ? strings.previewDelay(seconds) : "";
      note.hidden = seconds === 0;
    },
  };
}
