// js/wall.js: entry point of the follower wall (GET /). Wires the modules together, nothing else.

import { createAnnouncements, renderAnnouncement } from "./announcements.js";
import { createAnnouncer } from "./announcer.js";
import { fetchPosts, fetchWall } from "./api.js";
import { createCardList } from "./cards.js";
import { connectEvents } from "./events.js";
import { createFeed } from "./feed.js";
import { createFilters } from "./filters.js";
import { permalinkId, showPermalink } from "./permalink.js";
import { createPostCardTemplate } from "./post-card.js";
import { renderPost } from "./render-post.js";
import { startClock } from "./time.js";
import { applyWallSettings } from "./wall-settings.js";

const PAGE_SIZE = 50;
const MAX_CARDS = 200;
const byId = (id) => document.getElementById(id);

const permalink = permalinkId(location.pathname);
if (permalink !== null) {
  const wall = await fetchWall();
  applyWallSettings(wall);
  const template = createPostCardTemplate(wall.language, wall.channels);
  const ids = ["loading", "cards", "permalink", "unavailable"];
  const elements = Object.fromEntries(ids.map((id) => [id, byId(id)]));
  elements.source = byId("source-link");
  await showPermalink(permalink, { template, language: wall.language, elements });
} else {
  await startWall();
}

/** The live wall: snapshot, then events; "N new posts" while the reader scrolls; older posts on demand. */
async function startWall() {
  const [wall, snapshot] = await Promise.all([fetchWall(), fetchPosts({ limit: PAGE_SIZE })]);
  const strings = applyWallSettings(wall);
  const template = createPostCardTemplate(wall.language, wall.channels);
  const list = createCardList(byId("cards"), {
    max: MAX_CARDS,
    render: (post) => renderPost(template, post, { language: wall.language }),
  });

  let events = null;
  const feed = createFeed({
    list,
    strings,
    elements: {
      loading: byId("loading"),
      empty: byId("empty"),
      newPosts: byId("new-posts"),
      older: byId("load-older"),
      olderStatus: byId("older-status"),
      cards: byId("cards"),
    },
    announce: createAnnouncer(byId("announcer"), strings),
    loadOlder: (before) => fetchPosts({ limit: PAGE_SIZE, before, attempts: 3 }),
    reloadNewest: () => events.resync(),
  });
  feed.show(snapshot ?? { posts: [], lastEventId: null, complete: true });
  byId("filters").hidden = false;
  createFilters({
    search: byId("search"),
    group: document.querySelector(".channel-filter"),
    channels: wall.channels,
    cards: byId("cards"),
    status: byId("filter-status"),
    strings,
  });

  // The organisers' announcements, pinned above the posts while active.
  const board = byId("announcements");
  const announcements = createAnnouncements({
    onChange: (active) => {
      board.replaceChildren(...active.map((item) => renderAnnouncement(item, { label: strings.announcement })));
      board.hidden = active.length === 0;
    },
  });
  await announcements.load();

  const connectionMark = byId("connection");
  events = connectEvents({
    lastEventId: snapshot?.lastEventId ?? null,
    loadSnapshot: () => fetchPosts({ limit: PAGE_SIZE, attempts: 3 }),
    onSnapshot: (fresh) => {
      feed.resync(fresh);
      announcements.load();
    },
    more: { announcements: (data) => announcements.replace(data) },
    onPost: feed.receive,
    onUpdate: feed.update,
    onRemove: feed.remove,
    onConnectionChange: (connected) => {
      connectionMark.hidden = connected;
    },
  });
  startClock(document, wall.language);
}
