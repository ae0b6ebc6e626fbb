// js/screen.js: keeps a projector screen awake and lets the operator toggle full screen with the F key.

/** Asks the browser to keep the screen on while the page is visible (Screen Wake Lock), where supported. */
export function keepScreenAwake() {
  if (!("wakeLock" in navigator)) return;
  const request = () => navigator.wakeLock.request("screen").catch(() => {}); // refused: nothing to do
  request();
  // The browser releases the lock whenever the page is hidden; take it again on return.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") request();
  });
}

/** Pressing F (or double-clicking) toggles full screen, which browsers only allow after a user gesture. */
export function toggleFullscreenOnKey() {
  const toggle = () => {
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else document.documentElement.requestFullscreen?.().catch(() => {});
  };
  document.addEventListener("keydown", (event) => {
    if ((event.key === "f" || event.key === "F") && !event.ctrlKey && !event.metaKey && !event.altKey) toggle();
  });
  document.addEventListener("dblclick", toggle);
}
