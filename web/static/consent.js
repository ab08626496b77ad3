// The cookie notice. On a first visit only essential storage (your sign-in for this tab, this
// choice) and functionality storage (e.g. the time zone you pick) are used, and nothing for
// performance is loaded. Performance measurement (performance.js: pages you view, stored with
// `recordActivity`) is loaded only after you accept. The choice is kept in localStorage, can be
// changed from "Cookie settings" at any time and, when you are signed in, is recorded with
// `setConsent(purpose: PERFORMANCE_COOKIES, ...)`.

import { element, request, storedToken } from "./graphql.js";

export const CHOICE_KEY = "bnm.cookieChoice";

const SET_CONSENT = `mutation SetPerformanceConsent($granted: Boolean!) {
  setConsent(purpose: PERFORMANCE_COOKIES, granted: $granted) { purpose granted updatedAt }
}`;
const CONSENTS = `query Consents { consents { purpose granted } }`;

export function storedChoice() {
  try {
    const value = JSON.parse(localStorage.getItem(CHOICE_KEY));
    return value && typeof value.performance === "boolean" ? value : null;
  } catch {
    return null;
  }
}

/** Keeps a choice made elsewhere (the privacy centre) for this browser too. */
export function keepChoice(performance) {
  const choice = { performance, decidedAt: new Date().toISOString() };
  try {
    localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
  return choice;
}

let performanceModule = null;

async function startPerformance(getToken) {
  performanceModule ??= await import("./performance.js");
  performanceModule.start({ getToken });
}

function stopPerformance() {
  performanceModule?.stop();
}

/** Records the choice for the signed-in user, unless the account already holds it. */
async function recordForAccount(token, performance) {
  const { consents } = await request(CONSENTS, {}, token);
  const current = consents.find((c) => c.purpose === "PERFORMANCE_COOKIES");
  if (current && current.granted === performance) return;
  await request(SET_CONSENT, { granted: performance }, token);
}

function buildNotice() {
  const notice = element(
    "section",
    {
      id: "cookie-notice",
      class: "cookie-notice",
      "aria-labelledby": "cookie-notice-title",
      tabindex: "-1",
      hidden: true,
    },
    element("h2", { id: "cookie-notice-title", text: "Cookies and storage" }),
    element(
      "p",
      {},
      "We keep what the page needs: your sign-in for this tab, this choice and preferences " +
        "such as your time zone. With your permission we also measure which pages are used. " +
        "Nothing for performance is loaded until you accept. ",
      element("a", { href: "/privacy", text: "Privacy centre" }),
    ),
    element("p", { id: "cookie-current", class: "cookie-current" }),
    element(
      "div",
      { class: "actions" },
      element("button", {
        type: "button",
        id: "cookie-accept",
        class: "primary",
        text: "Accept performance cookies",
      }),
      element("button", {
        type: "button",
        id: "cookie-reject",
        text: "Essential only",
      }),
    ),
  );
  document.body.prepend(notice);
  return notice;
}

/**
 * Shows the notice on a first visit, starts performance measurement only after acceptance, and
 * wires the "Cookie settings" button. Returns `{ signedIn(token) }` for pages with a sign-in.
 */
export function initConsent({ getToken = storedToken } = {}) {
  const notice = document.getElementById("cookie-notice") ?? buildNotice();
  const current = notice.querySelector("#cookie-current");
  let choice = storedChoice();

  function describe() {
    if (!choice) current.textContent = "";
    else
      current.textContent = choice.performance
        ? "Your current choice: performance cookies accepted."
        : "Your current choice: only essential and functionality storage.";
  }

  function show(focus) {
    describe();
    notice.hidden = false;
    if (focus) notice.focus();
  }

  async function decide(performance) {
    choice = keepChoice(performance);
    notice.hidden = true;
    document.getElementById("cookie-settings")?.focus({ preventScroll: true });
    const token = getToken();
    if (token) {
      try {
        await recordForAccount(token, performance);
      } catch {
        // Signed out meanwhile: kept locally, recorded on the next sign-in.
      }
    }
    if (performance) await startPerformance(getToken);
    else stopPerformance();
    document.dispatchEvent(new CustomEvent("bnm:cookie-choice", { detail: choice }));
  }

  notice.querySelector("#cookie-accept").addEventListener("click", () => decide(true));
  notice.querySelector("#cookie-reject").addEventListener("click", () => decide(false));
  notice.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && choice) {
      notice.hidden = true;
      document.getElementById("cookie-settings")?.focus({ preventScroll: true });
    }
  });
  document.getElementById("cookie-settings")?.addEventListener("click", () => show(true));

  if (!choice) show(false);
  else if (choice.performance) startPerformance(getToken);

  return {
    /** After a sign-in: record the kept choice for the account and count the page view. */
    async signedIn(token) {
      if (!choice) return;
      try {
        await recordForAccount(token, choice.performance);
      } catch {
        return;
      }
      if (choice.performance) await startPerformance(getToken);
    },
  };
}
