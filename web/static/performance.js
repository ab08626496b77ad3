// Performance measurement, loaded only after the visitor accepts performance cookies
// (consent.js imports it then, never before). It records the page view of a signed-in user with
// `recordActivity`; the server stores it only while PERFORMANCE_COOKIES consent is granted.

import { request } from "./graphql.js";

const RECORD = `mutation RecordActivity($path: String!, $search: String) {
  recordActivity(path: $path, search: $search)
}`;

let active = false;
const recorded = new Set(); // token + path: one page view per page load and account

export function start({ getToken }) {
  active = true;
  const token = getToken();
  if (!token) return; // anonymous visitors: nothing is sent or stored
  const path = window.location.pathname;
  const key = `${token}|${path}`;
  if (recorded.has(key)) return;
  recorded.add(key);
  request(RECORD, { path, search: window.location.search || null }, token).catch(() => {
    recorded.delete(key);
  });
}

export function stop() {
  active = false;
}

export function isActive() {
  return active;
}
