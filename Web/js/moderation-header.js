// js/moderation-header.js: the console's top strip: held count, mode switch, connection mark, moderator's name.

const ANNOUNCE_AFTER_MS = 1500;

/**
 * Returns `setHeld(count)`, `setMode(mode)`, `setConnected(connected)`, `setModerator(name)`.
 * - The held count shows in the badge and the tab title ("(3) …"), and is announced politely
 *   ("3 messages en attente") once it has stayed the same for 1.5 s, so a burst makes one announcement.
 * - A click on the badge runs `onShowHeld()`; a click on a mode button that is not the current mode runs `onMode(mode)`.
 */
export function createHeader({ elements, strings, baseTitle, onShowHeld, onMode }) {
  const { heldBadge, heldCount, modeSwitch, connection, connectionText, moderatorName, announcer } = elements;
  let announced = null;
  let announceTimer = 0;

  document.title = baseTitle;
  heldBadge.addEventListener("click", onShowHeld);
  modeSwitch.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-mode]");
    if (button && button.getAttribute("aria-pressed") !== "true") onMode(button.dataset.mode);
  });

  return {
    setHeld(count) {
      heldCount.textContent = String(count);
      heldBadge.classList.toggle("has-held", count > 0);
      document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
      clearTimeout(announceTimer);
      if (announced === null) announced = count; // the count on arrival is on screen; no need to say it
      if (count === announced) return;
      announceTimer = setTimeout(() => {
        announced = count;
        announcer.textContent = strings.heldAnnounce(count);
      }, ANNOUNCE_AFTER_MS);
    },
    setMode(mode) {
      for (const button of modeSwitch.querySelectorAll("button[data-mode]")) {
        button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
      }
    },
    setConnected(connected) {
      connection.dataset.connected = String(connected);
      connectionText.textContent = connected ? strings.connected : strings.reconnecting;
    },
    setModerator(name) {
      moderatorName.textContent = name;
    },
  };
}
