// js/filters.js: the follower wall's channel filter and search, over the cards already loaded. Cards that do
// not match are hidden, never removed, so the feed's own bookkeeping (new posts, older posts) is untouched.

/** `text` lower-cased without accents, for a search that finds "Reseaux" in "Réseaux". */
export function foldForSearch(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/**
 * Wires the `search` input and the channel `buttons` (each with `data-channel`, "" for all) to the cards in
 * `cards`, including cards added later. `status` says how many match when a filter is on.
 */
export function createFilters({ search, buttons, cards, status, strings }) {
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
