// js/moderation-announcements.js: the Announcements panel: every organisers' announcement (GET
// /api/moderation/announcements, then the moderators' stream), its status, and what can be done to it; the form
// that writes them is moderation-announcement-form.js. Their text is shown as text only (textContent).

import { backoffDelay } from "./backoff.js";
import { createAnnouncementForm } from "./moderation-announcement-form.js";
import { describeFailure } from "./moderation-api.js";
import { formatAbsolute } from "./time.js";

const DELETE_CONFIRM_MS = 3000;
const ACTIONS = ["edit", "end", "remove-image", "delete"];

/** "active" between its start and its end, "upcoming" before, "ended" after. */
export function announcementStatus(announcement, nowMs) {
  if (nowMs < announcement.startsMs) return "upcoming";
  return nowMs < announcement.endsMs ? "active" : "ended";
}

function byStart(a, b) {
  return a.startsMs - b.startsMs || a.endsMs - b.endsMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const sameDay = (a, b) => new Date(a).toDateString() === new Date(b).toDateString();

/**
 * Fills `elements` (moderate.html's `#announcements-panel`: `panel`, `active` in its summary, `status`, `list`,
 * `empty`, and `form`, the form's own elements) and keeps them current.
 * - `reload()` fetches the whole list (call it with each snapshot: at start and after the stream starts over); a
 *   failure says why in `status` and is retried after a backoff while the console runs. `replace(list)` takes the
 *   stream's `announcements` event, which always wins over a fetch that started before it.
 * - Each item, sorted by start: its text, its times in the console's language ("14:00 → 15:00", with the date when
 *   not today), its status (active, upcoming, ended: recomputed every `everyMs`, with the summary's count of active
 *   ones), a thumbnail when it has an image, and its buttons: Edit (fills the form), End now (active ones only: the
 *   end moves to now), Remove image, Delete (a second click within 3 s confirms, as for a ban).
 * - The answer to this console's own change is shown at once, unless the stream or a fetch brought a list since the
 *   request left (the stream then sends the change itself); focus stays on the same button of the same item.
 */
export function createAnnouncementsPanel({ elements, api, strings, toasts, language, everyMs = 30_000 }) {
  const { panel, active: activeCount, status, list, empty } = elements;
  const time = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  const clock = new Intl.DateTimeFormat(language, time);
  const dated = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", ...time });
  const datedYear = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", year: "numeric", ...time });
  let announcements = [];
  let loaded = false;
  let running = false;
  let remote = 0; // lists taken from the stream or a fetch
  let changes = 0; // every list shown, this console's own changes included
  let loads = 0;
  let failures = 0;
  let retryTimer = 0;
  let clockTimer = 0;
  let pendingDelete = null; // { id, timer }
  let textIds = 0;
  const busy = new Set(); // `${action} ${id}` in flight

  const form = createAnnouncementForm({
    elements: elements.form,
    strings,
    language,
    save: (id, body) => change(() => api.saveAnnouncement(id, body), (answer) => answer.announcement && upsert(answer.announcement)),
    setImage: (id, file) => change(() => api.setAnnouncementImage(id, file), (answer) => answer.announcement && upsert(answer.announcement)),
    onCancelled: (id) => restoreFocus({ id, action: "edit" }),
  });

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  /** The time with its date (and its year when that is not this one). */
  function withDate(ms, nowMs) {
    return new Date(ms).getFullYear() === new Date(nowMs).getFullYear() ? dated.format(ms) : datedYear.format(ms);
  }

  /** "14:00 → 15:00": the start's date unless it is today, the end's unless it is the start's day. */
  function timesText(announcement, nowMs) {
    const { startsMs, endsMs } = announcement;
    const from = sameDay(startsMs, nowMs) ? clock.format(startsMs) : withDate(startsMs, nowMs);
    const to = sameDay(endsMs, startsMs) ? clock.format(endsMs) : withDate(endsMs, nowMs);
    return strings.announcementTimes(from, to);
  }

  function say(message, state) {
    if (status.textContent !== message) status.textContent = message; // the same failure again is not read out again
    status.dataset.state = state;
  }

  /** What changes with the clock: status, its label, the End now button, the times (a day may have turned). */
  function refreshItem(item, announcement, nowMs) {
    const state = announcementStatus(announcement, nowMs);
    item.dataset.status = state;
    item.querySelector(".announcement-state").textContent = strings.announcementStates[state];
    const times = item.querySelector(".announcement-when");
    times.textContent = timesText(announcement, nowMs);
    times.title = strings.announcementTimes(formatAbsolute(announcement.startsMs, language), formatAbsolute(announcement.endsMs, language));
    item.querySelector('button[data-action="end"]').hidden = state !== "active";
  }

  function actionButton(action, announcement, describedBy) {
    const button = element("button", strings.announcementActions[action], action === "delete" ? "button is-delete" : "button");
    button.type = "button";
    button.dataset.action = action;
    button.setAttribute("aria-describedby", describedBy);
    if (action === "delete" && pendingDelete?.id === announcement.id) markConfirming(button, true);
    return button;
  }

  function render(announcement, nowMs) {
    const item = element("li", undefined, "announcement");
    item.dataset.announcementId = announcement.id;
    item.tabIndex = -1;
    if (announcement.imageURL) {
      const thumb = element("img", undefined, "announcement-thumb");
      thumb.alt = strings.announcementImageAlt;
      thumb.loading = "lazy"; // not fetched while the panel is closed
      thumb.decoding = "async";
      thumb.src = announcement.imageURL; // a path on this origin (asAnnouncement)
      item.append(thumb);
    }
    const body = element("div", undefined, "announcement-body");
    const meta = element("p", undefined, "announcement-meta");
    meta.append(element("span", "", "announcement-state"), " ", element("span", "", "announcement-when"));
    const text = element("p", announcement.text, "announcement-text");
    text.id = `announcement-text-${++textIds}`;
    text.dir = "auto";
    const actions = element("div", undefined, "announcement-actions");
    for (const action of ACTIONS) {
      if (action === "remove-image" && !announcement.imageURL) continue;
      actions.append(actionButton(action, announcement, text.id));
    }
    body.append(meta, text, actions);
    item.append(body);
    refreshItem(item, announcement, nowMs);
    return item;
  }

  function showCount(nowMs) {
    const active = announcements.filter((announcement) => announcementStatus(announcement, nowMs) === "active");
    activeCount.textContent = strings.announcementsActive(active.length);
  }

  /** Re-reads the clock: every item's status and times, the summary's count. */
  function refresh() {
    const nowMs = Date.now();
    const byId = new Map(announcements.map((announcement) => [announcement.id, announcement]));
    for (const item of list.children) {
      const announcement = byId.get(item.dataset.announcementId);
      if (announcement) refreshItem(item, announcement, nowMs);
    }
    showCount(nowMs);
  }

  function focusedAction() {
    const focused = document.activeElement;
    if (!(focused instanceof Element) || !list.contains(focused)) return null;
    const item = focused.closest("[data-announcement-id]");
    return item ? { id: item.dataset.announcementId, action: focused.dataset.action ?? null } : { id: null, action: null };
  }

  /** Focus back on `action`'s button of item `id`, else on the item, else on the list (the item left). */
  function restoreFocus(focus) {
    if (!focus) return;
    const item = [...list.children].find((node) => node.dataset.announcementId === focus.id);
    if (!item) return list.focus();
    const button = [...item.querySelectorAll("button[data-action]")].find((node) => node.dataset.action === focus.action && !node.hidden);
    (button ?? item).focus();
  }

  function show(next) {
    const focus = focusedAction();
    changes += 1;
    announcements = [...next].sort(byStart);
    loaded = true;
    const nowMs = Date.now();
    list.replaceChildren(...announcements.map((announcement) => render(announcement, nowMs)));
    empty.hidden = announcements.length > 0;
    showCount(nowMs);
    if (pendingDelete && !announcements.some((announcement) => announcement.id === pendingDelete.id)) clearPendingDelete();
    restoreFocus(focus);
    form.listChanged(announcements);
  }

  function upsert(announcement) {
    return [...announcements.filter((other) => other.id !== announcement.id), announcement];
  }

  /**
   * Sends `request()`; on success shows `next(answer)` (a list, or nothing), unless the stream or a fetch brought a
   * list while the request was out: that list is newer, and the stream sends this change as well.
   */
  async function change(request, next) {
    const before = remote;
    const answer = await request();
    if (answer.ok && remote === before) {
      const shown = next(answer);
      if (shown) show(shown);
    }
    return answer;
  }

  async function reload() {
    clearTimeout(retryTimer);
    if (!running) return;
    const load = ++loads;
    const before = changes;
    if (!loaded) say(strings.announcementsLoading, "loading");
    const answer = await api.announcements();
    if (load !== loads || !running) return; // a newer fetch is out, or the console stopped
    if (answer.ok && answer.announcements) {
      failures = 0;
      say("", "ok");
      if (changes !== before) return; // a list shown meanwhile is at least as new as this one
      remote += 1;
      show(answer.announcements);
    } else if (answer.status !== 401) {
      const reason = answer.ok ? strings.statsUnreadable : describeFailure(answer, strings);
      say(strings.announcementsFailed(/[.!?…]$/.test(reason) ? reason : `${reason}.`), "error");
      retryTimer = setTimeout(reload, backoffDelay(failures++));
    }
  }

  function markConfirming(button, confirming) {
    button.classList.toggle("is-confirming", confirming);
    button.textContent = confirming ? strings.announcementDeleteConfirm : strings.announcementActions.delete;
  }

  function deleteButton(id) {
    const item = [...list.children].find((node) => node.dataset.announcementId === id);
    return item?.querySelector('button[data-action="delete"]') ?? null;
  }

  function clearPendingDelete() {
    if (!pendingDelete) return;
    clearTimeout(pendingDelete.timer);
    const button = deleteButton(pendingDelete.id);
    if (button) markConfirming(button, false);
    pendingDelete = null;
  }

  /** True on the second Delete of the same announcement within 3 s; otherwise asks for it and returns false. */
  function deleteConfirmed(announcement) {
    const confirmed = pendingDelete?.id === announcement.id;
    clearPendingDelete();
    if (confirmed) return true;
    pendingDelete = { id: announcement.id, timer: setTimeout(clearPendingDelete, DELETE_CONFIRM_MS) };
    const button = deleteButton(announcement.id);
    if (button) markConfirming(button, true);
    toasts.show(strings.announcementDeletePrompt);
    return false;
  }

  const iso = (ms) => new Date(ms).toISOString();

  function request(announcement, action) {
    const { id } = announcement;
    if (action === "end") {
      const body = { text: announcement.text, startsAt: iso(announcement.startsMs), endsAt: iso(Date.now()) };
      return change(() => api.saveAnnouncement(id, body), (answer) => answer.announcement && upsert(answer.announcement));
    }
    if (action === "remove-image") {
      return change(() => api.setAnnouncementImage(id, null), (answer) => answer.announcement && upsert(answer.announcement));
    }
    return change(() => api.deleteAnnouncement(id), () => announcements.filter((other) => other.id !== id));
  }

  const DONE = { end: "announcementEnded", "remove-image": "announcementImageRemoved", delete: "announcementDeleted" };

  async function act(announcement, action) {
    if (action !== "delete") clearPendingDelete();
    if (action === "edit") return form.edit(announcement);
    if (action === "end" && announcementStatus(announcement, Date.now()) !== "active") return refresh(); // it ended meanwhile
    const key = `${action} ${announcement.id}`;
    if (busy.has(key)) return;
    if (action === "delete" && !deleteConfirmed(announcement)) return;
    busy.add(key);
    const item = () => [...list.children].find((node) => node.dataset.announcementId === announcement.id);
    item()?.setAttribute("aria-busy", "true");
    try {
      const answer = await request(announcement, action);
      if (answer.ok) toasts.show(strings[DONE[action]]);
      else if (answer.status !== 401) toasts.show(describeFailure(answer, strings), { error: true });
    } finally {
      busy.delete(key);
      item()?.removeAttribute("aria-busy");
    }
  }

  list.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    const id = button?.closest("[data-announcement-id]")?.dataset.announcementId;
    const announcement = announcements.find((candidate) => candidate.id === id);
    if (announcement) act(announcement, button.dataset.action);
  });
  panel.addEventListener("toggle", () => {
    if (panel.open) form.opened();
  });

  return {
    /** The console started (true) or left (false): the list is fetched (`reload`) and its clock runs only meanwhile. */
    setActive(value) {
      running = value;
      clearInterval(clockTimer);
      clearTimeout(retryTimer);
      clearPendingDelete();
      if (running) clockTimer = setInterval(refresh, everyMs);
    },
    reload,
    /** The stream's whole list (`announcements` event): shown as it is. */
    replace(next) {
      remote += 1;
      clearTimeout(retryTimer); // a failed fetch need not be retried: this is the whole list
      say("", "ok");
      show(next);
    },
  };
}
