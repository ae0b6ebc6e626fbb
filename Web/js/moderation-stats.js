// js/moderation-stats.js: the organiser's figures (GET /api/moderation/stats), live while the panel is open:
// posts per channel and state, posts per minute, contributors, the most active, the busiest minutes, the median
// wait before approval. Names come from posts: text only (textContent, dataset), never markup.

import { describeFailure } from "./moderation-api.js";
import { channelStatusLabel, sortChannelNames } from "./moderation-channels.js";
import { formatDuration } from "./moderation-row.js";
import { minuteBarChart } from "./svg-chart.js";
import { formatAbsolute } from "./time.js";

const STATES = ["visible", "held", "hidden", "rejected"];
const AHEAD_MS = 5 * 60_000;

function sum(numbers) {
  return numbers.reduce((total, value) => total + value, 0);
}

/**
 * Fills `elements` (see moderate.html's `#stats-view`) from `api.stats(minutes)` while it is in view: `panel` (a
 * `<details>`) open, the console started (`setActive(true)`) and the tab visible. Then it fetches at once, again
 * after each `changed(name)` (every moderators' event but "settings" and "announcements"), at most once per
 * `minGapMs` however many arrive, and every `everyMs` so the time axis moves; nothing while out of view. A failed fetch keeps the last
 * figures and says why (a 401 says nothing: the login form takes over). `setChannels(channels)` gives `/api/wall`'s
 * list, for labels and order. Channel colours (`series-N`) follow that order, so each keeps its colour.
 */
export function createStatsPanel({ elements, api, strings, language, minutes = 60, minGapMs = 2_000, everyMs = 30_000 }) {
  const { panel, updated, error, posts, recent, contributors, median, chart, table, top, topEmpty, busiest, busiestEmpty } = elements;
  const clock = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const minuteClock = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const numbers = new Intl.NumberFormat(language);
  let kinds = [];
  let active = false;
  let last = null; // the last figures received, kept through failures
  let lastStartMs = -Infinity;
  let inFlight = false;
  let pending = false; // a change arrived during a fetch: fetch again after it
  let gapTimer = 0;
  let slowTimer = 0;

  const inView = () => active && panel.open && document.visibilityState !== "hidden";
  const label = (name) => channelStatusLabel(name, kinds);

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function countCell(value, state) {
    const cell = element("td", numbers.format(value));
    cell.dataset.state = state;
    if (state === "held" && value > 0) cell.classList.add("is-held");
    return cell;
  }

  function tableRow(heading, states) {
    const row = document.createElement("tr");
    const head = element("th", heading);
    head.scope = "row";
    row.append(head, ...STATES.map((state) => countCell(states[state], state)), countCell(sum(STATES.map((state) => states[state])), "total"));
    return row;
  }

  function drawTable(stats) {
    const names = sortChannelNames([...stats.channels.keys()], kinds);
    const rows = names.map((name) => {
      const row = tableRow(label(name), stats.channels.get(name));
      row.dataset.channel = name;
      return row;
    });
    if (rows.length === 0) {
      const empty = element("td", strings.statsNoPosts, "stats-empty");
      empty.colSpan = STATES.length + 2;
      rows.push(element("tr"));
      rows[0].append(empty);
    }
    table.tBodies[0].replaceChildren(...rows);
    const totals = Object.fromEntries(STATES.map((state) => [state, sum([...stats.channels.values()].map((states) => states[state]))]));
    const totalRow = tableRow(strings.statsTotal, totals);
    totalRow.className = "stats-total";
    table.tFoot.replaceChildren(totalRow);
    posts.textContent = numbers.format(sum(Object.values(totals)));
  }

  /** Every channel with posts, in the wall's order; its tone is its place in that order (others after). */
  function seriesFor(stats) {
    const names = new Set(stats.channels.keys());
    for (const minute of stats.perMinute) for (const name of minute.counts.keys()) names.add(name);
    const unknown = [...names].filter((name) => !kinds.some((kind) => kind.name === name)).sort();
    return sortChannelNames([...names], kinds).map((name) => {
      const rank = kinds.findIndex((kind) => kind.name === name);
      return { key: name, label: label(name), tone: rank >= 0 ? rank : kinds.length + unknown.indexOf(name) };
    });
  }

  function drawChart(stats) {
    // The window ends now, or at the server's newest minute when its clock is a little ahead of ours; a post dated
    // further ahead (an upstream's wrong clock) does not drag the window away from now.
    const now = Date.now();
    const newest = Math.max(now, ...stats.perMinute.map((minute) => minute.minuteMs).filter((ms) => ms <= now + AHEAD_MS));
    chart.replaceChildren(
      minuteBarChart({
        series: seriesFor(stats),
        points: stats.perMinute.map((minute) => ({ minuteMs: minute.minuteMs, values: minute.counts })),
        endMs: newest,
        minutes,
        text: { empty: strings.statsChartEmpty, max: strings.statsChartMax, describe: strings.statsChartLabel },
        formatTime: (ms) => minuteClock.format(ms),
      }),
    );
    const lastMinute = Math.floor(newest / 60_000) * 60_000;
    const inWindow = stats.perMinute.filter((minute) => minute.minuteMs <= lastMinute && minute.minuteMs > lastMinute - minutes * 60_000);
    recent.textContent = numbers.format(sum(inWindow.map((minute) => sum([...minute.counts.values()])))); // the chart's total
  }

  function drawTop(stats) {
    top.replaceChildren(
      ...stats.topAuthors.map((author) => {
        const item = element("li");
        item.dataset.channel = author.channel;
        item.dataset.posts = String(author.posts);
        // <bdi>: a name in a right-to-left script does not reorder the channel and count after it.
        item.append(element("bdi", author.name || strings.anonymous, "stats-name"), " ", element("span", `${label(author.channel)} · ${strings.statsPostCount(author.posts)}`, "stats-meta"));
        return item;
      }),
    );
    topEmpty.hidden = stats.topAuthors.length > 0;
  }

  function drawBusiest(stats) {
    busiest.replaceChildren(
      ...stats.busiestMinutes.map(({ minuteMs, posts: count }) => {
        const item = element("li");
        const time = element("time", minuteClock.format(minuteMs), "stats-time");
        time.dateTime = new Date(minuteMs).toISOString();
        time.setAttribute("title", formatAbsolute(minuteMs, language));
        item.dataset.minute = time.dateTime;
        item.dataset.posts = String(count);
        item.append(time, " ", element("span", strings.statsPostCount(count), "stats-meta"));
        return item;
      }),
    );
    busiestEmpty.hidden = stats.busiestMinutes.length > 0;
  }

  function draw() {
    if (!last) return;
    drawTable(last);
    drawChart(last);
    contributors.textContent = numbers.format(last.contributors);
    median.textContent = last.medianApprovalSeconds === null ? strings.statsNone : formatDuration(last.medianApprovalSeconds * 1000);
    drawTop(last);
    drawBusiest(last);
  }

  function showError(message) {
    if (error.textContent !== message) error.textContent = message; // the same failure again is not read out again
  }

  async function load() {
    inFlight = true;
    pending = false;
    lastStartMs = Date.now();
    clearTimeout(slowTimer);
    const answer = await api.stats(minutes);
    inFlight = false;
    if (answer.ok && answer.stats) {
      last = answer.stats;
      draw();
      error.textContent = "";
      updated.textContent = strings.statsUpdated(clock.format(Date.now()));
    } else if (answer.status !== 401) {
      const reason = answer.ok ? strings.statsUnreadable : describeFailure(answer, strings);
      showError(strings.statsFailed(/[.!?…]$/.test(reason) ? reason : `${reason}.`)); // the server's own text may end bare
    }
    if (!inView()) return;
    slowTimer = setTimeout(request, everyMs);
    if (pending) request();
  }

  /** Fetches now, or as soon as the last fetch is `minGapMs` old; one at a time. */
  function request() {
    if (!inView()) return;
    if (inFlight) {
      pending = true;
      return;
    }
    const waitMs = lastStartMs + minGapMs - Date.now();
    if (waitMs > 0) {
      if (!gapTimer) {
        gapTimer = setTimeout(() => {
          gapTimer = 0;
          request();
        }, waitMs);
      }
      return;
    }
    load();
  }

  function pause() {
    clearTimeout(gapTimer);
    clearTimeout(slowTimer);
    gapTimer = 0;
    pending = false;
  }

  function sync() {
    if (inView()) request();
    else pause();
  }

  panel.addEventListener("toggle", sync);
  document.addEventListener("visibilitychange", sync);

  return {
    /** The console started (true) or left (false): figures are fetched only while it runs. */
    setActive(running) {
      active = running;
      sync();
    },
    /** A moderators' event named `name` arrived ("post", "audit", "settings", "announcements", "snapshot"). */
    changed(name) {
      if (name !== "settings" && name !== "announcements") request(); // neither changes a figure
    },
    setChannels(channels) {
      kinds = channels;
      draw();
    },
  };
}
