// js/moderation-stage.js: the Stage panel: the lectern tablet's link (GET /api/moderation/stage) and how many
// questions for the stage are still open among the console's posts.

import { describeFailure } from "./moderation-api.js";
import { isOpenQuestion } from "./moderation-row.js";

/**
 * Fills `elements` (moderate.html's `#stage-view`). The link is fetched each time `panel` (a `<details>`) opens
 * while the console runs (`setActive(true)`), one fetch at a time; a failed fetch says why in `status` and keeps the
 * link already shown (a 401 says nothing: the login form takes over). `copy` shows only where the browser offers
 * `navigator.clipboard`. `update(posts)` counts the questions on the tablet's list among `posts`: the server's rule,
 * visible, marked and not yet answered (a hidden post keeps its mark but leaves the stage until shown again).
 */
export function createStagePanel({ elements, api, strings, toasts, language }) {
  const { panel, status, link, copy, count } = elements;
  const numbers = new Intl.NumberFormat(language);
  const canCopy = typeof navigator.clipboard?.writeText === "function";
  let active = false;
  let loading = false;
  let url = null;

  function say(message, state) {
    status.textContent = message;
    status.dataset.state = state;
  }

  async function load() {
    if (loading || !active || !panel.open) return;
    loading = true;
    if (!url) say(strings.stageLoading, "loading");
    const answer = await api.stage();
    loading = false;
    if (answer.ok && answer.stage) {
      url = answer.stage.url; // http or https only (asStage)
      link.href = url;
      link.textContent = url;
      link.hidden = false;
      copy.hidden = !canCopy;
      say("", "ok");
    } else if (answer.status !== 401) {
      const reason = answer.ok ? strings.statsUnreadable : describeFailure(answer, strings);
      say(strings.stageFailed(/[.!?…]$/.test(reason) ? reason : `${reason}.`), "error");
    }
  }

  copy.addEventListener("click", async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      toasts.show(strings.stageCopied);
    } catch {
      toasts.show(strings.stageCopyFailed, { error: true }); // refused (no permission, page not focused): the link is there to select
    }
  });
  panel.addEventListener("toggle", load);

  return {
    /** The console started (true) or left (false): the link is fetched only while it runs. */
    setActive(running) {
      active = running;
      load();
    },
    update(posts) {
      count.textContent = numbers.format(posts.filter((post) => post.state === "visible" && isOpenQuestion(post)).length);
    },
  };
}
