// js/announcer.js: tells screen-reader users, briefly, that posts arrived (an aria-live="polite" region).

/**
 * Returns `announce(post)`. Posts arriving within `gatherMs` of each other make one announcement
 * ("Nouveau message de Claire", or "3 nouveaux messages"); the region is emptied `clearMs` later.
 */
export function createAnnouncer(region, strings, { gatherMs = 1500, clearMs = 6000 } = {}) {
  let names = [];
  let gatherTimer = 0;
  let clearTimer = 0;

  function speak() {
    gatherTimer = 0;
    region.textContent = names.length === 1 ? strings.announceOne(names[0] || strings.anonymous) : strings.announceMany(names.length);
    names = [];
    clearTimeout(clearTimer);
    clearTimer = setTimeout(() => {
      region.textContent = "";
    }, clearMs);
  }

  return function announce(post) {
    names.push(post.author.name);
    if (!gatherTimer) gatherTimer = setTimeout(speak, gatherMs);
  };
}
