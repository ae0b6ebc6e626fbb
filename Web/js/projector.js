// js/projector.js: entry point of the projector view (GET /projector). Wires the modules together, nothing else.

import { createAnnouncements, renderAnnouncement } from "./announcements.js";
import { asPost, fetchPosts, fetchWall } from "./api.js";
import { createCardList } from "./cards.js";
import { connectEvents } from "./events.js";
import { fitText } from "./fit-text.js";
import { createStage } from "./projector-stage.js";
import { createPostCardTemplate } from "./post-card.js";
import { renderPost } from "./render-post.js";
import { keepScreenAwake, toggleFullscreenOnKey } from "./screen.js";
import { createSpotlight } from "./spotlight.js";
import { startClock } from "./time.js";
import { applyWallSettings } from "./wall-settings.js";

const SNAPSHOT_SIZE = 30;
const COLUMN_SIZE = 6;
const byId = (id) => document.getElementById(id);

keepScreenAwake();
toggleFullscreenOnKey();

// The projector's view: new posts only after the moderators' projector delay, and every pinned post.
const [wall, snapshot] = await Promise.all([fetchWall(), fetchPosts({ limit: SNAPSHOT_SIZE, view: "projector" })]);
const strings = applyWallSettings(wall);
if (wall.followerURL) {
  byId("follow-qr").src = "/qr.svg";
  byId("follow").hidden = false;
}
const template = createPostCardTemplate(wall.language, wall.channels);
const render = (post) =>
  post.announcement
    ? renderAnnouncement(post, { label: strings.announcement })
    : renderPost(template, post, { language: wall.language, links: false, sensitive: "omit" });
const stage = createStage({
  spotlight: createSpotlight(byId("spotlight"), byId("welcome"), render, { answeringLabel: strings.answeringLabel }),
  column: createCardList(byId("column"), { render, max: COLUMN_SIZE }),
});
stage.load(snapshot?.posts ?? []);
stage.answer(snapshot?.answering ?? null);
const announcements = createAnnouncements({ onChange: (active) => stage.announce(active) });
await announcements.load();

const connectionMark = byId("connection");
connectEvents({
  lastEventId: snapshot?.lastEventId ?? null,
  loadSnapshot: () => fetchPosts({ limit: SNAPSHOT_SIZE, attempts: 3, view: "projector" }),
  view: "projector",
  onSnapshot: (fresh) => {
    stage.load(fresh.posts);
    stage.answer(fresh.answering ?? null);
    announcements.load(); // what changed while this screen was away
  },
  onPost: stage.receive,
  onUpdate: stage.update,
  onRemove: stage.remove,
  more: { answering: (data) => stage.answer(asPost(data?.post)), announcements: (data) => announcements.replace(data) },
  onConnectionChange: (connected) => {
    connectionMark.hidden = connected;
  },
});
startClock(document, wall.language);
window.addEventListener("resize", () => fitText(document.body));
