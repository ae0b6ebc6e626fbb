// js/moderation-session.js: login form or console. Which one shows, and the moves between them.

import { backoffDelay } from "./backoff.js";

/**
 * `check()` asks the server whether the session cookie is valid: yes → `onStart(moderator)`, 401 → the login
 * form, unreachable → a message and another try after a backoff (1 s doubling to 30 s).
 * `enter(moderator)` after a login; `expire()` on any 401 while the console runs (back to the form, with a
 * message); `logout()` ends the session on the server and goes back to the form. `onStop()` runs on leaving.
 */
export function createSession({ api, login, strings, onStart, onStop }) {
  let active = false;

  function enter(moderator) {
    login.hide();
    if (active) return;
    active = true;
    onStart(moderator);
  }

  function leave(message) {
    if (active) onStop();
    active = false;
    login.show(message);
  }

  async function check(failures = 0) {
    const answer = await api.session();
    if (answer.ok && typeof answer.data?.moderator === "string") enter(answer.data.moderator);
    else if (answer.status === 401) leave();
    else {
      leave(strings.serverUnreachable);
      setTimeout(() => check(failures + 1), backoffDelay(failures));
    }
  }

  return {
    check,
    enter,
    expire() {
      if (active) leave(strings.sessionExpired);
    },
    async logout() {
      await api.logout();
      leave();
    },
  };
}
