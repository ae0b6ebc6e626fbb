// js/filters.js: the follower wall's channel filter and search, over the cards already loaded. Cards that do
// not match are hidden, never removed, so the feed's own bookkeeping (new posts, older posts) is untouched.

/** `text` lower-cased without accents, for a search that finds "Reseaux" in "Réseaux". */
export function foldForSearch(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * Adds one button per channel of `channels` (`/api/wall`'s list) to `group`, after the buttons it already holds
 * (the "all channels" one, `data-channel=""`), and returns them all. `group` stays hidden when there is no channel.
 */
function channelButtons(group, channels) {
  for (const { name, label, filter } of channels) {
    if (filter === false) continue; // a path in (the API, the demo), not a network people post on
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.channel = name;
    button.setAttribute("aria-pressed", "false");
    button.textContent = label;
    group.append(button);
  }
  group.hidden = !channels.some((channel) => channel.filter !== false);
  return [...group.querySelectorAll("button[data-channel]")];
}

/**
 * Wires the `search` input and the channel buttons of `group` (one per channel of `channels`, each with
 * `data-channel`, and "" for all) to the cards in `cards`, including cards added later. `status` says how many
 * match when a filter is on.
 */
export function createFilters({ search, group, channels, cards, status, strings }) {
  const buttons = channelButtons(group, channels);
  let channel = "";
  let query = "";
  const folded = new WeakMap(); // card → its text folded, computed once (a redrawn post is a new card)

  function matches(card) {
    if (channel !== "" && card.dataset.channel !== channel) return false;
    if (query === "") return true;
    if (!folded.has(card)) folded.set(card, foldForSearch(card.textContent));
    return folded.get(card).includes(query);
  }

  function apply(nodes = cards.querySelectorAll(".card")) {
    for (const card of nodes) card.hidden = !matches(card);
    const active = channel !== "" || query !== "";
    const shown = active ? cards.querySelectorAll(".card:not([hidden])").length : 0;
    status.textContent = active ? strings.matching(shown) : "";
  }

  for (const button of buttons) {
    button.addEventListener("click", () => {
      channel = button.dataset.channel;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      apply();
    });
  }
  search.placeholder = strings.searchPlaceholder;
  search.addEventListener("input", () => {
    query = foldForSearch(search.value.trim());
    apply();
  });
  // Cards arrive live and are redrawn on updates: filter each new one as it lands.
  new MutationObserver((records) => {
    if (channel === "" && query === "") return;
    const added = records.flatMap((record) => [...record.addedNodes]).filter((node) => node.nodeType === 1 && node.matches(".card"));
    apply(added);
  }).observe(cards, { childList: true });
}
