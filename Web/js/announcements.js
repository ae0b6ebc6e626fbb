// js/announcements.js: the organisers' announcements on the pages: checked from the server, kept to the server's
// clock, shown while active (the follower page pins them; the projector adds them to its rotation).

import { sizeClass } from "./render-post.js";

const MAX_TEXT = 500;

function text(value) {
  return typeof value === "string" ? value : "";
}

/** An announcement from the server, checked, or `null`: `{ id, text, startsMs, endsMs, imageURL }`. */
export function asAnnouncement(value) {
  if (!value || typeof value !== "object" || typeof value.id !== "string" || !/^[A-Za-z0-9-]{1,40}$/.test(value.id)) return null;
  const startsMs = Date.parse(text(value.startsAt));
  const endsMs = Date.parse(text(value.endsAt));
  if (!text(value.text) || !Number.isFinite(startsMs) || !Number.isFinite(endsMs)) return null;
  // Only the wall's own image route: never a picture from elsewhere.
  const imageURL = /^\/api\/announcements\/[A-Za-z0-9-]+\/image(\?v=\d+)?$/.test(text(value.imageURL)) ? value.imageURL : null;
  return { id: value.id, text: value.text.slice(0, MAX_TEXT), startsMs, endsMs, imageURL };
}

/** A checked list from `{"announcements": [...]}`. */
export function asAnnouncements(data) {
  return (Array.isArray(data?.announcements) ? data.announcements : []).map(asAnnouncement).filter(Boolean);
}

/**
 * Holds the announcements and the offset between the server's clock and this screen's (a projector laptop's clock
 * may be minutes off): `active()` lists those showing now, by start. `load()` fetches `/api/announcements`;
 * `replace(data)` takes an `announcements` event's data; `onChange` hears of every change, and of every start or end
 * (checked every `tickMs`).
 */
export function createAnnouncements({ onChange, tickMs = 5_000 }) {
  let list = [];
  let offsetMs = 0;
  let shown = "";

  const now = () => Date.now() + offsetMs;
  const active = () => list.filter((item) => item.startsMs <= now() && now() < item.endsMs).sort((a, b) => a.startsMs - b.startsMs);

  function changed(force = false) {
    const key = active()
      .map((item) => `${item.id}:${item.text}:${item.imageURL}`)
      .join("|");
    if (force || key !== shown) {
      shown = key;
      onChange(active());
    }
  }

  setInterval(() => changed(), tickMs);

  return {
    active,
    async load() {
      try {
        const response = await fetch("/api/announcements", { cache: "no-store" });
        if (!response.ok) return;
        const data = await response.json();
        const serverMs = Date.parse(text(data.serverTime));
        if (Number.isFinite(serverMs)) offsetMs = serverMs - Date.now();
        list = asAnnouncements(data);
        changed(true);
      } catch {
        // the next change (event or reload) brings them
      }
    },
    replace(data) {
      list = asAnnouncements(data);
      changed(true);
    },
  };
}

/**
 * One announcement as a card: the label ("Annonce"), its text (as text) and its image. `post`-shaped enough for the
 * projector's spotlight (`data-post-id`, `data-size`).
 */
export function renderAnnouncement(item, { label, wallTitle = "" }) {
  const card = document.createElement("article");
  card.className = "card announcement";
  card.dataset.postId = `announcement:${item.id}`;
  card.dataset.size = sizeClass(item.text);
  const head = document.createElement("p");
  head.className = "announcement-label";
  head.textContent = wallTitle ? `${label} · ${wallTitle}` : label;
  const box = document.createElement("div");
  box.className = "text-box";
  const body = document.createElement("p");
  body.className = "text";
  body.textContent = item.text;
  box.append(body);
  card.append(head, box);
  if (item.imageURL) {
    const media = document.createElement("div");
    media.className = "media announcement-media";
    const image = document.createElement("img");
    image.src = item.imageURL;
    image.alt = "";
    image.decoding = "async";
    media.append(image);
    card.append(media);
  }
  return card;
}
