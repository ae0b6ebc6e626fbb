// js/moderation-login.js: the login form (moderator token), with the wait after too many failed attempts.

import { describeFailure } from "./moderation-api.js";

/**
 * `show(message)` brings the form up (token focused) with `message`, `hide()` takes it away.
 * A 200 hands the moderator's name to `onLoggedIn`; a 401 says the token was refused; a 429 disables the
 * button and counts down its `Retry-After` seconds (30 when absent).
 */
export function createLogin({ elements, api, strings, onLoggedIn }) {
  const { root, form, token, submit, message } = elements;
  let waitTimer = 0;

  function wait(seconds) {
    clearInterval(waitTimer);
    let left = seconds;
    submit.disabled = true;
    message.textContent = strings.loginWait(left);
    waitTimer = setInterval(() => {
      left -= 1;
      if (left > 0) {
        message.textContent = strings.loginWait(left);
        return;
      }
      clearInterval(waitTimer);
      submit.disabled = false;
      message.textContent = "";
    }, 1000);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value || submit.disabled) return;
    submit.disabled = true;
    const answer = await api.login(value);
    if (answer.status === 429) return wait(answer.retryAfter ?? 30);
    submit.disabled = false;
    const name = answer.data?.moderator;
    if (answer.ok && typeof name === "string") {
      token.value = "";
      onLoggedIn(name);
      return;
    }
    message.textContent = answer.status === 401 ? (answer.error ?? strings.loginRefused) : describeFailure(answer, strings);
    token.select();
  });

  return {
    show(text = "") {
      const wasHidden = root.hidden;
      root.hidden = false;
      if (!submit.disabled) message.textContent = text; // a running countdown keeps its message
      if (wasHidden) token.focus(); // not on a retry's message, which would steal focus from typing
    },
    hide() {
      root.hidden = true;
      message.textContent = "";
    },
  };
}
