// js/moderation-filters.js: the filter bar: state (with counts), channel, search box, and the list's status line.

/**
 * Wires the controls in `elements` (`bar`, `channel`, `search`, `status`, `empty`; the state radios are
 * `bar`'s `input[name="state"]`, their counts `[data-count]`) to `list.setFilter`, and tells
 * `onState(state)` when the state changes (picked, or `showHeld()`), so older posts in that state can be fetched.
 * Returns `showHeld()` (the "held" filter, as from the header badge), `setChannels(channels)` (one option per
 * channel of `/api/wall`'s list; the channel filter shows from then on), `setCounts(counts)` and
 * `showStatus({ shown, matching })` for the line above the list.
 */
export function bindFilters({ elements, list, strings, onState = () => {} }) {
  const { bar, channel, search, status, empty } = elements;
  search.setAttribute("placeholder", strings.searchPlaceholder);

  bar.addEventListener("change", (event) => {
    if (event.target.name === "state") {
      list.setFilter({ state: event.target.value });
      onState(event.target.value);
    }
    else if (event.target === channel) list.setFilter({ channel: channel.value });
  });
  search.addEventListener("input", () => list.setFilter({ query: search.value }));
  bar.addEventListener("submit", (event) => event.preventDefault()); // Enter in the search box

  return {
    showHeld() {
      const held = bar.querySelector('input[name="state"][value="held"]');
      held.checked = true;
      list.setFilter({ state: "held" });
      onState("held");
    },
    setChannels(channels) {
      for (const { name, label } of channels) {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = label;
        channel.append(option);
      }
      channel.closest(".channel-filter").hidden = channels.length === 0;
    },
    setCounts(counts) {
      for (const node of bar.querySelectorAll("[data-count]")) {
        const value = counts[node.dataset.count] ?? 0;
        node.textContent = String(value);
        node.classList.toggle("is-nonzero", value > 0);
      }
    },
    showStatus({ shown, matching }) {
      status.textContent = matching > 0 ? strings.listCount(shown, matching) : "";
      empty.hidden = matching > 0;
    },
  };
}
