// js/backoff.js: how long to wait before retrying something that failed.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

/**
 * The wait after `failures` consecutive failures (0 for the first retry): 1 s doubling to 30 s,
 * each spread by ±25 % so that hundreds of phones do not all come back in the same second after a restart.
 */
export function backoffDelay(failures, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures));
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
