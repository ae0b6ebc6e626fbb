// js/moderation-settings.js: the settings form (mode, per-channel modes, blocklist, trusted authors, delay, flood
// limit) and the header's one-click mode switch. Both PUT a full Settings object.

import { describeFailure } from "./moderation-api.js";

function lines(text) {
  return [...new Set(text.split("\n").map((line) => line.trim()).filter(Boolean))];
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `apply(settings)` takes the server's settings (snapshot, live event or PUT answer), tells `onSettings`, and
 * refills the form unless the moderator is editing it; then a notice offers to reload instead of overwriting.
 * Saving shows the server's error (e.g. a 400) beside the form. `setMode(mode)` switches only the mode, from
 * the server's current settings rather than the form's unsaved edits. `setChannels(channels)` adds one mode
 * `<select>` per channel of `/api/wall`'s list to `channelModes` (its `group` shows from then on); a channel
 * without one keeps its mode when the form is saved.
 */
export function createSettingsPanel({ elements, api, strings, toasts, onSettings }) {
  const { form, notice, reload, revert, error, status, channelModes: modesBox, channelModesGroup } = elements;
  const fields = form.elements;
  let current = null;
  let dirty = false;
  let saving = false;

  function fill(settings) {
    fields.mode.value = settings.mode;
    for (const select of form.querySelectorAll("select[data-channel]")) select.value = settings.channelModes[select.dataset.channel] ?? "";
    fields.blocklist.value = settings.blocklist.join("\n");
    fields.trusted.value = settings.trusted.join("\n");
    fields.projectorDelaySeconds.value = String(settings.projectorDelaySeconds);
    fields.floodLimitPerMinute.value = String(settings.floodLimitPerMinute);
    dirty = false;
    notice.hidden = true;
    error.textContent = "";
  }

  function read() {
    const channelModes = { ...current.channelModes };
    for (const select of form.querySelectorAll("select[data-channel]")) {
      if (select.value) channelModes[select.dataset.channel] = select.value;
      else delete channelModes[select.dataset.channel];
    }
    return {
      ...current,
      mode: fields.mode.value,
      channelModes,
      blocklist: lines(fields.blocklist.value),
      trusted: lines(fields.trusted.value),
      projectorDelaySeconds: Number(fields.projectorDelaySeconds.value),
      floodLimitPerMinute: Number(fields.floodLimitPerMinute.value),
    };
  }

  function apply(settings) {
    const changed = !same(settings, current);
    current = settings;
    onSettings(settings);
    if (!dirty) fill(settings);
    else if (changed) notice.hidden = false;
  }

  form.addEventListener("input", () => {
    dirty = true;
    status.textContent = "";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (saving || !current) return;
    saving = true;
    error.textContent = "";
    const answer = await api.saveSettings(read());
    saving = false;
    if (!answer.ok) {
      if (answer.status !== 401) error.textContent = describeFailure(answer, strings);
      return;
    }
    dirty = false;
    if (answer.settings) apply(answer.settings);
    status.textContent = strings.settingsSaved;
  });
  for (const button of [revert, reload]) button.addEventListener("click", () => current && fill(current));

  function option(value, text) {
    const node = document.createElement("option");
    node.value = value;
    node.textContent = text;
    return node;
  }

  function addChannelModes(channels) {
    for (const { name, label } of channels) {
      const id = `settings-mode-${name}`;
      const caption = document.createElement("label");
      caption.className = "channel-mode-label";
      caption.htmlFor = id;
      caption.textContent = label;
      const select = document.createElement("select");
      select.id = id;
      select.name = `channel-${name}`;
      select.dataset.channel = name;
      const follow = option("", strings.followMode);
      follow.dataset.i18n = "followMode";
      select.append(follow, option("post", "post"), option("pre", "pre"));
      if (current) select.value = current.channelModes[name] ?? "";
      modesBox.append(caption, select);
    }
    channelModesGroup.hidden = channels.length === 0;
  }

  return {
    apply,
    setChannels: addChannelModes,
    async setMode(mode) {
      if (!current || current.mode === mode) return;
      const answer = await api.saveSettings({ ...current, mode });
      if (!answer.ok) {
        if (answer.status !== 401) toasts.show(describeFailure(answer, strings), { error: true });
        return;
      }
      if (answer.settings) apply(answer.settings);
      toasts.show(strings.modeChanged(mode === "pre" ? strings.modePre : strings.modePost));
    },
  };
}
