// js/moderation-announcement-form.js: the form that writes an organisers' announcement (text, start, end, optional
// image), new or edited. Times are typed in the browser's local time and sent as ISO instants (UTC).

import { describeFailure } from "./moderation-api.js";

/** The server's limits (HashwallCore's `Announcement.maxText` and `maxImage`) and the images it takes. */
export const MAX_TEXT = 500;
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
export const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);
const HOUR_MS = 3_600_000;
const NEAR_LIMIT = 50;

const pad = (number, width = 2) => String(number).padStart(width, "0");

/** `ms` as an `<input type="datetime-local">` value in the browser's time zone, to the minute: "2025-06-12T14:00". */
export function localInputValue(ms) {
  const date = new Date(ms);
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value, read in the browser's time zone, as ms; `null` when empty or unreadable. */
export function parseLocalInput(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = new Date(value).getTime(); // a date-time without an offset is local time (ECMA-262)
  return Number.isFinite(ms) ? ms : null;
}

/** The reason as a sentence: the server's own text may end bare. */
function sentence(reason) {
  return /[.!?…]$/.test(reason) ? reason : `${reason}.`;
}

/**
 * Wires `elements` (moderate.html's `#announcement-form`: `form`, `text`, `count`, `start`, `end`, `image`, `submit`,
 * `cancel`, `editing`, `error`, `status`).
 * - Creating is the default: start now and end an hour later (to the minute, local time). Times still at their
 *   defaults are moved to the present when the panel opens (`opened()`) and when the form is sent, so a form left
 *   open says "now" when it goes.
 * - `edit(announcement)` fills the form with it; sending then replaces it, and `cancel` goes back to creating.
 *   `listChanged(list)`: the one being edited was deleted (by anyone): back to creating, with a word why.
 * - Sending checks the text (not blank, at most 500 characters), that the end comes after the start and the
 *   image (type and size, before anything is sent), then calls `save(id | null, { text, startsAt, endsAt })` and,
 *   when an image was chosen, `setImage(id, file)`: both resolve to the api's answers. An image refused after the
 *   text was saved leaves the form editing that announcement, to try another image. Failures show in `error` (a
 *   401 shows nothing: the login form takes over); success in `status`.
 * - `onCancelled(id)` after `cancel` ends an edit of announcement `id`, for the caller to put focus back.
 */
export function createAnnouncementForm({ elements, strings, language, save, setImage, onCancelled = () => {} }) {
  const { form, text, count, start, end, image, submit, cancel, editing: editingNote, error, status } = elements;
  const megabytes = new Intl.NumberFormat(language, { style: "unit", unit: "megabyte", maximumFractionDigits: 1 });
  let editing = null; // the id of the announcement being edited, or null while creating
  let sending = false;
  let defaults = null; // the time values last put in by the form itself

  function showCount() {
    const length = text.value.length;
    count.textContent = strings.announcementCount(length, MAX_TEXT);
    count.dataset.near = String(length > MAX_TEXT - NEAR_LIMIT);
  }

  function showMode() {
    form.dataset.mode = editing === null ? "create" : "edit";
    editingNote.hidden = editing === null;
    cancel.hidden = editing === null;
    if (!sending) submit.textContent = editing === null ? strings.announcementPublish : strings.announcementSave;
  }

  function setDefaultTimes() {
    const now = Date.now();
    defaults = { start: localInputValue(now), end: localInputValue(now + HOUR_MS) };
    start.value = defaults.start;
    end.value = defaults.end;
  }

  const timesUntouched = () => defaults !== null && start.value === defaults.start && end.value === defaults.end;

  function startCreating() {
    editing = null;
    text.value = "";
    image.value = "";
    error.textContent = "";
    setDefaultTimes();
    showCount();
    showMode();
  }

  function setSending(value) {
    sending = value;
    // aria-disabled, not disabled: the focused button keeps focus while the request is out.
    submit.setAttribute("aria-disabled", String(value));
    form.setAttribute("aria-busy", String(value));
    submit.textContent = value ? strings.announcementSending : editing === null ? strings.announcementPublish : strings.announcementSave;
  }

  /** The file's size in MiB, rounded up to a tenth: a file just over the limit does not read "2 MB". */
  const size = (file) => megabytes.format(Math.ceil((file.size / 1_048_576) * 10) / 10);

  function imageProblem(file) {
    if (!IMAGE_TYPES.has(file.type)) return strings.announcementImageType;
    if (file.size > MAX_IMAGE_BYTES) return strings.announcementImageTooBig(size(file));
    return null;
  }

  function imageFailure(answer, file) {
    if (answer.status === 413) return strings.announcementImageTooBig(size(file));
    if (answer.status === 415) return strings.announcementImageType;
    return describeFailure(answer, strings);
  }

  /** The request's body, or the sentence saying what is wrong. */
  function read() {
    const value = text.value.trim();
    if (value === "") return strings.announcementEmptyText;
    if (value.length > MAX_TEXT) return strings.announcementTooLong(MAX_TEXT);
    const startsMs = parseLocalInput(start.value);
    const endsMs = parseLocalInput(end.value);
    if (startsMs === null || endsMs === null) return strings.announcementBadDate;
    if (endsMs <= startsMs) return strings.announcementBadTimes;
    return { text: value, startsAt: new Date(startsMs).toISOString(), endsAt: new Date(endsMs).toISOString() };
  }

  async function send() {
    if (editing === null && timesUntouched()) setDefaultTimes(); // "now" is when it goes, not when the page opened
    const body = read();
    const file = image.files?.[0] ?? null;
    const problem = typeof body === "string" ? body : file ? imageProblem(file) : null;
    if (problem) {
      error.textContent = problem;
      return;
    }
    const id = editing;
    setSending(true);
    try {
      const answer = await save(id, body);
      if (!answer.ok) {
        if (answer.status !== 401) error.textContent = describeFailure(answer, strings);
        return;
      }
      if (file) {
        const savedId = answer.announcement?.id ?? id;
        const uploaded = savedId === null ? { ok: false, status: 200, error: strings.statsUnreadable } : await setImage(savedId, file);
        if (!uploaded.ok) {
          if (uploaded.status === 401) return;
          // The text is saved: the form now edits that announcement, so that another image can be tried.
          if (savedId !== null) editing = savedId;
          image.value = "";
          const reason = sentence(imageFailure(uploaded, file));
          error.textContent = id === null ? strings.announcementImageFailed(reason) : strings.announcementImageSaveFailed(reason);
          return;
        }
      }
      startCreating();
      status.textContent = id === null ? strings.announcementPublished : strings.announcementSaved;
    } finally {
      setSending(false);
      showMode();
    }
  }

  text.addEventListener("input", () => {
    showCount();
    status.textContent = "";
  });
  image.addEventListener("change", () => {
    const file = image.files?.[0];
    const problem = file ? imageProblem(file) : null;
    error.textContent = problem ?? "";
    if (problem) image.value = ""; // checked before any upload: a refused file is not kept to be sent
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (sending) return;
    error.textContent = "";
    status.textContent = "";
    send();
  });
  cancel.addEventListener("click", () => {
    if (sending || editing === null) return;
    const id = editing;
    startCreating();
    status.textContent = "";
    onCancelled(id);
  });

  startCreating();

  return {
    /** Fills the form with `announcement` to edit it; false (nothing changes) while a request is out. */
    edit(announcement) {
      if (sending) return false;
      editing = announcement.id;
      text.value = announcement.text;
      start.value = localInputValue(announcement.startsMs);
      end.value = localInputValue(announcement.endsMs);
      image.value = "";
      error.textContent = "";
      status.textContent = "";
      showCount();
      showMode();
      text.focus();
      return true;
    },
    /** The panel opened: times still at their defaults move to now. */
    opened() {
      if (editing === null && !sending && timesUntouched()) setDefaultTimes();
    },
    listChanged(list) {
      if (editing === null || sending || list.some((announcement) => announcement.id === editing)) return;
      startCreating();
      error.textContent = strings.announcementGone;
    },
    /** The id of the announcement being edited, or null. */
    editing: () => editing,
  };
}
