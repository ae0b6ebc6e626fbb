// js/moderate.js: entry point of the moderator console (GET /moderate). Wires the modules together, nothing else.

import { fetchWall } from "./api.js";
import { createActions } from "./moderation-actions.js";
import { createModerationApi } from "./moderation-api.js";
import { createAnnouncementsPanel } from "./moderation-announcements.js";
import { createAuditPanel } from "./moderation-audit.js";
import { createChannelPanel } from "./moderation-channels.js";
import { createEraseDialog } from "./moderation-erase.js";
import { connectModerationEvents } from "./moderation-events.js";
import { bindFilters } from "./moderation-filters.js";
import { createHeader } from "./moderation-header.js";
import { bindHelp, bindKeys } from "./moderation-keys.js";
import { createModerationList } from "./moderation-list.js";
import { createLogin } from "./moderation-login.js";
import { createOlderHeld } from "./moderation-older-held.js";
import { createPreview } from "./moderation-preview.js";
import { createRowRenderer } from "./moderation-row.js";
import { createSession } from "./moderation-session.js";
import { createSettingsPanel } from "./moderation-settings.js";
import { createStagePanel } from "./moderation-stage.js";
import { createStatsPanel } from "./moderation-stats.js";
import { createModerationStore } from "./moderation-store.js";
import { moderationStringsFor } from "./moderation-strings.js";
import { createToasts } from "./moderation-toasts.js";
import { createPostCardTemplate } from "./post-card.js";
import { renderPost } from "./render-post.js";
import { applyStrings } from "./strings.js";
import { startClock } from "./time.js";
import { applyWallSettings } from "./wall-settings.js";

const SNAPSHOT = { limit: 300, heldLimit: 500, auditLimit: 50 };
const MAX_ROWS = 300;
// Held posts the console keeps (snapshot plus older pages loaded on demand); past it, older ones wait on the server.
const MAX_HELD = 2000;
const byId = (id) => document.getElementById(id);

const wall = await fetchWall({ attempts: 3 });
applyWallSettings(wall);
const { language } = wall;
const strings = moderationStringsFor(language);
applyStrings(document, strings);

// Modules that call each other back (the list and its actions, the header's mode switch and the settings…)
// are declared here and created below.
let session = null;
let actions = null;
let filters = null;
let settings = null;
let events = null;
const api = createModerationApi({ onUnauthorized: () => session.expire() });
const toasts = createToasts(byId("toasts"));
const store = createModerationStore({ maxHeld: MAX_HELD });
const cardTemplate = createPostCardTemplate(language, wall.channels);
const renderCard = (post) => renderPost(cardTemplate, post, { language, links: false, sensitive: "omit" });  // the projector's preview

const audit = createAuditPanel({ list: byId("audit"), empty: byId("audit-empty"), template: byId("audit-entry"), strings, language });
const renderer = createRowRenderer({ rowTemplate: byId("mod-row"), cardTemplate, strings, language, lastActionFor: audit.lastFor });
const filterElements = { bar: byId("filters"), channel: byId("channel-filter"), search: byId("search"), status: byId("list-status"), empty: byId("list-empty") };
const list = createModerationList({
  container: byId("mod-list"),
  store,
  renderer,
  maxRows: MAX_ROWS,
  onAction: (post, action) => actions.run(post, action),
  onSync: (status) => filters.showStatus(status),
});
filters = bindFilters({
  elements: filterElements,
  list,
  strings,
  onState: async (state) => {
    olderHeld.setState(state);
    // The snapshot holds the newest posts and the newest held ones; older ones of a state come on demand.
    const page = state === "all" || state === "held" ? null : await api.posts(state, SNAPSHOT.limit);
    if (!page) return;
    store.addMissing(page.posts);
    postsChanged();
  },
});
const olderHeld = createOlderHeld({
  button: byId("load-older-held"),
  status: byId("older-held-status"),
  strings,
  load: (before) => api.posts("held", SNAPSHOT.heldLimit, before),
  onPage: (posts) => {
    store.addMissing(posts);
    postsChanged();
  },
  onExhausted: () => list.focusSelection(),
  heldCount: () => store.counts().held,
  pageSize: SNAPSHOT.heldLimit,
  maxHeld: MAX_HELD,
});
const preview = createPreview({ container: byId("preview"), empty: byId("preview-empty"), note: byId("preview-note"), render: renderCard, strings });
const stage = createStagePanel({
  elements: { panel: byId("stage-panel"), status: byId("stage-status"), link: byId("stage-link"), copy: byId("stage-copy"), count: byId("stage-open-count") },
  api,
  strings,
  toasts,
  language,
});
const announcements = createAnnouncementsPanel({
  elements: {
    panel: byId("announcements-panel"),
    active: byId("announcements-active"),
    status: byId("announcements-status"),
    list: byId("announcement-list"),
    empty: byId("announcement-empty"),
    form: {
      form: byId("announcement-form"),
      text: byId("announcement-text"),
      count: byId("announcement-count"),
      start: byId("announcement-start"),
      end: byId("announcement-end"),
      image: byId("announcement-image"),
      submit: byId("announcement-submit"),
      cancel: byId("announcement-cancel"),
      editing: byId("announcement-editing"),
      error: byId("announcement-error"),
      status: byId("announcement-status"),
    },
  },
  api,
  strings,
  toasts,
  language,
});

const header = createHeader({
  elements: {
    heldBadge: byId("held-badge"),
    heldCount: byId("held-count"),
    modeSwitch: byId("mode-switch"),
    connection: byId("connection"),
    connectionText: byId("connection-text"),
    moderatorName: byId("moderator-name"),
    announcer: byId("announcer"),
  },
  strings,
  baseTitle: `${strings.consoleTitle} · ${wall.title}`,
  onShowHeld: () => filters.showHeld(),
  onMode: (mode) => settings.setMode(mode),
});

/** After any change to the store: the list (next frame), the preview and the counts. */
function postsChanged() {
  list.schedule();
  const posts = store.list();
  preview.update(posts);
  stage.update(posts);
  const counts = store.counts();
  header.setHeld(counts.held);
  filters.setCounts(counts);
  olderHeld.refresh();
}

settings = createSettingsPanel({
  elements: {
    form: byId("settings-form"),
    notice: byId("settings-notice"),
    reload: byId("settings-reload"),
    revert: byId("settings-revert"),
    error: byId("settings-error"),
    status: byId("settings-status"),
    channelModes: byId("channel-modes"),
    channelModesGroup: byId("channel-modes-group"),
  },
  api,
  strings,
  toasts,
  onSettings: (value) => {
    header.setMode(value.mode);
    preview.setDelay(value.projectorDelaySeconds);
  },
});
const erase = createEraseDialog({
  elements: { dialog: byId("erase-dialog"), author: byId("erase-author"), handle: byId("erase-handle"), confirm: byId("erase-confirm"), cancel: byId("erase-cancel") },
  api,
  toasts,
  strings,
  onFocusLost: () => list.focusSelection(),
});
actions = createActions({ api, store, list, toasts, strings, onChange: postsChanged, askErase: (post) => erase.ask(post) });
const channels = createChannelPanel({ list: byId("channels"), template: byId("channel-item"), strings, language, api });
const stats = createStatsPanel({
  elements: {
    panel: byId("stats-panel"),
    updated: byId("stats-updated"),
    error: byId("stats-error"),
    posts: byId("stats-posts"),
    recent: byId("stats-recent"),
    contributors: byId("stats-contributors"),
    median: byId("stats-median"),
    chart: byId("stats-chart"),
    table: byId("stats-channels"),
    top: byId("stats-top"),
    topEmpty: byId("stats-top-empty"),
    busiest: byId("stats-busiest"),
    busiestEmpty: byId("stats-busiest-empty"),
  },
  api,
  strings,
  language,
});

/** The wall's one list of channels, to the channel filter, the per-channel modes and the channel panel. */
function useChannels(list) {
  filters.setChannels(list);
  settings.setChannels(list);
  channels.setChannels(list);
  stats.setChannels(list);
}
if (wall.channels.length > 0) {
  useChannels(wall.channels);
} else {
  // /api/wall did not answer within its 3 tries: the console opens all the same (cards get the neutral badge),
  // and the channel controls appear once the same call, now retried until the server answers, brings the list.
  fetchWall().then((later) => {
    if (later.channels.length === 0) return;
    cardTemplate.content.replaceChildren(createPostCardTemplate(language, later.channels).content.firstElementChild);
    useChannels(later.channels);
  });
}

function startConsole(moderator) {
  header.setModerator(moderator);
  audit.setModerator(moderator);
  byId("console").hidden = false;
  announcements.setActive(true);
  events = connectModerationEvents({
    loadSnapshot: () => api.snapshot(SNAPSHOT),
    onSnapshot: (snapshot) => {
      store.replaceAll(snapshot.posts);
      olderHeld.reset(snapshot.held);
      audit.load(snapshot.audit);
      settings.apply(snapshot.settings);
      postsChanged();
      announcements.reload(); // not part of the snapshot: fetched beside it, and replaced by any event meanwhile
    },
    onPost: (post) => {
      store.upsert(post);
      postsChanged();
    },
    // Erased from the database (an author's erasure): gone from the list, the preview, the counts and the audit's words.
    onRemove: ({ id }) => {
      erase.dropped(id);
      audit.forgetPost(id);
      if (store.remove(id)) postsChanged();
    },
    onSettings: settings.apply,
    onAnnouncements: announcements.replace,
    onAudit: (entry) => {
      audit.add(entry);
      if (entry.postId) list.refreshLive(Date.now(), entry.postId);
    },
    onConnectionChange: header.setConnected,
    onEvent: stats.changed,
  });
  channels.start();
  stats.setActive(true);
  stage.setActive(true);
}

function stopConsole() {
  events?.close();
  events = null;
  channels.stop();
  stats.setActive(false);
  stage.setActive(false);
  announcements.setActive(false);
  erase.close();
  header.setConnected(false);
  byId("console").hidden = true;
}

const login = createLogin({
  elements: { root: byId("login"), form: byId("login-form"), token: byId("login-token"), submit: byId("login-submit"), message: byId("login-message") },
  api,
  strings,
  onLoggedIn: (moderator) => session.enter(moderator),
});
session = createSession({ api, login, strings, onStart: startConsole, onStop: stopConsole });

bindKeys({ root: byId("console"), list, actions, search: byId("search"), help: byId("help") });
bindHelp({ help: byId("help"), open: byId("help-open"), close: byId("help-close") });
byId("undo").addEventListener("click", () => actions.undo());
byId("logout").addEventListener("click", () => session.logout());
setInterval(() => {
  const now = Date.now();
  list.refreshLive(now);
  audit.refresh(now);
}, 1000);
startClock(byId("mod-list"), language);
startClock(byId("preview"), language);
session.check();
