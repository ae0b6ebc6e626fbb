// js/moderation-channels.js: each channel's state from /healthz (dot, name, state), polled every 10 s.

import { CHANNELS } from "./moderation-api.js";

/**
 * Fills `list` with one item per channel from `template` (`.channel-name`, `.channel-state`; `data-state` on
 * the item for the dot's colour; a tooltip with the post count and last error). `start()` polls every
 * `everyMs` until `stop()`; a failed poll shows "unknown" until the next one answers.
 */
export function createChannelPanel({ list, template, strings, api, everyMs = 10_000 }) {
  let timer = 0;
  let running = false;

  function item(name, status) {
    const node = template.content.firstElementChild.cloneNode(true);
    const state = typeof status?.state === "string" ? status.state : "unknown";
    node.dataset.state = state;
    node.querySelector(".channel-name").textContent = strings.channelNames[name] ?? name;
    node.querySelector(".channel-state").textContent = strings.channelStates[state] ?? state;
    const details = [Number.isInteger(status?.posts) ? `${status.posts}` : "", typeof status?.lastError === "string" ? status.lastError : ""];
    node.setAttribute("title", details.filter(Boolean).join(" · "));
    return node;
  }

  async function poll() {
    const channels = await api.channels();
    if (!running) return;
    if (channels) {
      const names = Object.keys(channels).sort((a, b) => (CHANNELS.indexOf(a) >>> 0) - (CHANNELS.indexOf(b) >>> 0) || a.localeCompare(b));
      list.replaceChildren(...names.map((name) => item(name, channels[name])));
    } else {
      const unknown = document.createElement("li");
      unknown.className = "channels-unknown";
      unknown.textContent = strings.channelsUnknown;
      list.replaceChildren(unknown);
    }
    timer = setTimeout(poll, everyMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      poll();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
