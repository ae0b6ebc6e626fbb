// js/moderation-channels.js: each channel's state from /healthz (dot, label, state, next retry, reconnects, last
// error), polled every 10 s.

/** Gateways and protocols as their makers write them; any other instance (a Mastodon host, say) shows as it is. */
const INSTANCE_LABELS = {
  twilio: "Twilio",
  vonage: "Vonage",
  smssync: "SMSSync",
  android: "Android",
  imap: "IMAP",
  mailgun: "Mailgun",
  sendgrid: "SendGrid",
  postmark: "Postmark",
};

function kindOf(name) {
  const dot = name.indexOf(".");
  return dot < 0 ? { kind: name, instance: "" } : { kind: name.slice(0, dot), instance: name.slice(dot + 1) };
}

/**
 * A /healthz channel name as people read it: its kind's label from `channels` (`/api/wall`'s list), then the
 * instance: `sms.twilio` → "SMS · Twilio", `mastodon.mastodon.social` → "Mastodon · mastodon.social", `bluesky` → "Bluesky".
 */
export function channelStatusLabel(name, channels) {
  const { kind, instance } = kindOf(name);
  const label = channels.find((channel) => channel.name === kind)?.label ?? kind;
  return instance ? `${label} · ${INSTANCE_LABELS[instance] ?? instance}` : label;
}

/** `names` in the order of their kinds in `channels` (kinds it does not list last), then by name. */
export function sortChannelNames(names, channels) {
  const rank = (name) => {
    const index = channels.findIndex((channel) => channel.name === kindOf(name).kind);
    return index < 0 ? channels.length : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function instant(value) {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Fills `list` with one item per channel from `template`: `.channel-name` (its label, see `channelStatusLabel`),
 * `.channel-state` (in words), `.channel-retry` (when the next try is due, "HH:MM:SS"), `.channel-reconnects`
 * (when more than 0) and `.channel-error` (its last error, when it has one); the parts that do not apply are
 * removed. `data-state` on the item colours its dot; a tooltip gives the post count and the full error.
 * `start()` polls every `everyMs` until `stop()`; a failed poll shows "unknown" until the next one answers.
 * `setChannels(channels)` gives the wall's channel list when it arrives after the panel was made.
 */
export function createChannelPanel({ list, template, strings, language, api, channels = [], everyMs = 10_000 }) {
  const clock = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  let kinds = channels;
  let last = null; // the last /healthz channels object, redrawn when the channel list arrives
  let timer = 0;
  let running = false;

  function fill(node, selector, text) {
    const part = node.querySelector(selector);
    if (text) part.textContent = text;
    else part.remove();
  }

  function item(name, status) {
    const node = template.content.firstElementChild.cloneNode(true);
    const state = typeof status?.state === "string" ? status.state : "unknown";
    const error = typeof status?.lastError === "string" ? status.lastError : "";
    const retryAt = instant(status?.nextRetryAt);
    const reconnects = Number.isInteger(status?.reconnects) ? status.reconnects : 0;
    node.dataset.state = state;
    node.dataset.channel = name;
    node.querySelector(".channel-name").textContent = channelStatusLabel(name, kinds);
    node.querySelector(".channel-state").textContent = strings.channelStates[state] ?? state;
    fill(node, ".channel-retry", retryAt === null ? "" : strings.channelRetry(clock.format(retryAt)));
    fill(node, ".channel-reconnects", reconnects > 0 ? strings.channelReconnects(reconnects) : "");
    // What a paid channel (X) read: each tweet costs.
    const reads = status?.reads;
    if (reads && Number.isInteger(reads.today) && Number.isInteger(reads.thisMonth)) {
      const part = document.createElement("span");
      part.className = "channel-reads";
      part.textContent = strings.channelReads(reads.today, reads.thisMonth, reads.maxPerDay);
      const errorPart = node.querySelector(".channel-error");
      if (errorPart) errorPart.before(part);
      else node.append(part);
    }
    fill(node, ".channel-error", error);
    const details = [Number.isInteger(status?.posts) ? strings.channelPosts(status.posts) : "", error];
    node.setAttribute("title", details.filter(Boolean).join(" · "));
    return node;
  }

  function draw() {
    if (last) {
      list.replaceChildren(...sortChannelNames(Object.keys(last), kinds).map((name) => item(name, last[name])));
    } else {
      const unknown = document.createElement("li");
      unknown.className = "channels-unknown";
      unknown.textContent = strings.channelsUnknown;
      list.replaceChildren(unknown);
    }
  }

  async function poll() {
    const channels = await api.channels();
    if (!running) return;
    last = channels;
    draw();
    timer = setTimeout(poll, everyMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      poll();
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
    setChannels(channels) {
      kinds = channels;
      if (running && last) draw();
    },
  };
}
