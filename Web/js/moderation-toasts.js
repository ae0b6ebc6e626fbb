// js/moderation-toasts.js: short messages in a corner, gone after a few seconds. Text only.

/**
 * Returns `{ show(message, { error }) }`. At most `max` toasts are on screen (overflow: the oldest goes first);
 * each leaves after `lifetimeMs`, or at a click. `container` is a polite live region; an error toast is an
 * alert, read out at once.
 */
export function createToasts(container, { lifetimeMs = 6000, max = 3 } = {}) {
  container.addEventListener("click", (event) => event.target.closest(".toast")?.remove());
  return {
    show(message, { error = false } = {}) {
      const toast = document.createElement("p");
      toast.className = error ? "toast is-error" : "toast";
      if (error) toast.setAttribute("role", "alert");
      toast.textContent = message;
      container.append(toast);
      while (container.children.length > max) container.firstElementChild.remove();
      setTimeout(() => toast.remove(), lifetimeMs);
    },
  };
}
