// js/stage.js: the lectern's tablet (GET /stage/{key}): the questions moderators marked, oldest first, live; "done"
// takes one off every tablet for good; "on screen" puts it in the projector's spotlight while it is answered.

import { asPost, fetchWall } from "./api.js";
import { backoffDelay } from "./backoff.js";
import { formatAbsolute } from "./time.js";
import { applyWallSettings } from "./wall-settings.js";

const key = location.pathname.split("/").filter(Boolean)[1] ?? "";
const base = `/api/stage/${encodeURIComponent(key)}`;
const list = document.getElementById("questions");
const empty = document.getElementById("stage-empty");
const count = document.getElementById("stage-count");
const connection = document.getElementById("connection");
const template = document.getElementById("question-template");

const wall = await fetchWall({ attempts: 5 });
const strings = applyWallSettings(wall);
const labels = new Map(wall.channels.map((channel) => [channel.name, channel.label]));

/** Open questions by id: `{ post, markedAt }`; shown oldest mark first. */
const questions = new Map();
let answering = null;
let lastEventId = null;

function asQuestion(value) {
  const post = asPost(value);
  const markedAt = Date.parse(value?.markedAt);
  return post && Number.isFinite(markedAt) ? { post, markedAt } : null;
}

function render() {
  const ordered = [...questions.values()].sort((a, b) => a.markedAt - b.markedAt || (a.post.id < b.post.id ? -1 : 1));
  const items = ordered.map(({ post }) => {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.postId = post.id;
    item.querySelector(".question-author").textContent = post.author.name || strings.anonymous;
    item.querySelector(".question-channel").textContent = labels.get(post.channel) ?? post.channel;
    const time = item.querySelector(".question-time");
    time.dateTime = new Date(post.createdMs).toISOString();
    time.textContent = formatAbsolute(post.createdMs, wall.language);
    item.querySelector(".question-text").textContent = post.text;
    const onScreen = post.id === answering;
    item.classList.toggle("is-answering", onScreen);
    const answer = item.querySelector(".answer-button");
    answer.textContent = onScreen ? strings.stageOnScreen : strings.stageShow;
    answer.setAttribute("aria-pressed", String(onScreen));
    answer.addEventListener("click", () => send(`${base}/answering`, { id: onScreen ? null : post.id }));
    const done = item.querySelector(".done-button");
    done.textContent = strings.stageDone;
    done.addEventListener("click", () => {
      done.disabled = true;
      send(`${base}/questions/${encodeURIComponent(post.id)}/done`).then((ok) => {
        if (!ok) done.disabled = false;
      });
    });
    return item;
  });
  list.replaceChildren(...items);
  empty.hidden = items.length > 0;
  count.textContent = strings.stageCount(items.length);
}

async function send(url, body = undefined) {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.ok;
  } catch {
    return false;
  }
}

async function loadSnapshot() {
  try {
    const response = await fetch(`${base}/questions`, { cache: "no-store" });
    if (!response.ok) return false;
    const data = await response.json();
    questions.clear();
    for (const value of Array.isArray(data.questions) ? data.questions : []) {
      const question = asQuestion(value);
      if (question) questions.set(question.post.id, question);
    }
    answering = typeof data.answering === "string" ? data.answering : null;
    lastEventId = typeof data.lastEventId === "string" ? data.lastEventId : lastEventId;
    render();
    return true;
  } catch {
    return false;
  }
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

let source = null;
let failures = 0;

function open() {
  const stream = new EventSource(lastEventId ? `${base}/events?lastEventId=${encodeURIComponent(lastEventId)}` : `${base}/events`);
  source = stream;
  stream.addEventListener("open", () => {
    failures = 0;
    connection.hidden = true;
  });
  stream.addEventListener("error", () => {
    connection.hidden = false;
    if (stream.readyState === EventSource.CLOSED) reopenLater();
  });
  stream.addEventListener("question", (event) => {
    const question = asQuestion(parse(event));
    if (!question) return;
    questions.set(question.post.id, question);
    render();
  });
  stream.addEventListener("done", (event) => {
    const id = parse(event)?.id;
    if (typeof id === "string" && questions.delete(id)) render();
  });
  stream.addEventListener("answering", (event) => {
    const id = parse(event)?.id;
    answering = typeof id === "string" ? id : null;
    render();
  });
  stream.addEventListener("reset", async () => {
    if (!(await loadSnapshot())) reopenLater();
  });
}

function reopenLater() {
  source?.close();
  source = null;
  setTimeout(async () => {
    if (await loadSnapshot()) open();
    else reopenLater();
  }, backoffDelay(failures++));
}

if (await loadSnapshot()) open();
else reopenLater();
