// The privacy centre, /privacy. Everyone: what we hold and why (privacyInfo). Invitees without an
// account: an access or erasure request confirmed with a mailed code. Signed-in people: myData
// viewed and downloaded (requestDataExport), consents incl. the cookie categories, objection
// and restriction, privacy requests with their due dates, retention, and account deletion.

import { initConsent, keepChoice } from "./consent.js";
import { GraphQLError, announce, element, request } from "./graphql.js";
import { signOut, storedToken, wireSignInForm } from "./sign-in.js";

const INFO = `query PrivacyInfo {
  privacyInfo {
    controller contactEmail backupRetentionDays requestAnswerDays
    categories { key name purpose legalBasis retentionDays }
  }
}`;
const REQUEST_FIELDS = "id kind status createdAt dueAt details resolution resolvedAt overdue";
const CENTRE = `query PrivacyCentre {
  me { id name email }
  myData
  consents { purpose granted updatedAt }
  privacyRequests { ${REQUEST_FIELDS} }
  retention { category days defaultDays custom }
}`;
const EXPORT = "mutation Export { requestDataExport }";
const SET_CONSENT = `mutation SetConsent($purpose: ConsentPurpose!, $granted: Boolean!) {
  setConsent(purpose: $purpose, granted: $granted) { purpose granted updatedAt }
}`;
const OBJECT = `mutation Object($processing: Objection!) { objectToProcessing(processing: $processing) }`;
const SUBMIT = `mutation Submit($kind: PrivacyRequestKind!, $details: String) {
  submitPrivacyRequest(kind: $kind, details: $details) { ${REQUEST_FIELDS} }
}`;
const SET_RETENTION = `mutation SetRetention($category: RetentionCategory!, $days: Int!) {
  setRetention(category: $category, days: $days) { category days defaultDays custom }
}`;
const DELETE = "mutation Delete($password: String!) { deleteAccount(password: $password) }";
const INVITEE = `mutation Invitee($email: String!, $kind: PrivacyRequestKind!) {
  submitInviteePrivacyRequest(email: $email, kind: $kind)
}`;
const CONFIRM = `mutation Confirm($token: String!) {
  confirmPrivacyRequest(token: $token) { id kind status createdAt dueAt }
}`;

const CONSENTS = [
  {
    purpose: "PERFORMANCE_COOKIES",
    label: "Performance cookies",
    text: "Measure which pages you use, to improve the service. Withdrawing deletes what was recorded.",
  },
  {
    purpose: "FUNCTIONALITY_COOKIES",
    label: "Functionality cookies",
    text: "Remember choices on our pages, such as the time zone you pick.",
  },
  { purpose: "MARKETING", label: "Marketing", text: "News and offers by e-mail." },
  {
    purpose: "CALENDAR_ACCESS",
    label: "Calendar access",
    text: "Read the busy times of calendars you link. Withdrawing unlinks them all.",
  },
];
const KINDS = {
  ACCESS: "Access: a copy of my data",
  CORRECTION: "Correction of inaccurate data",
  ERASURE: "Erasure",
  RESTRICTION: "Restriction of processing",
  OBJECTION: "Objection to processing",
  PORTABILITY: "Portability: my data in a portable format",
  WITHDRAW_CONSENT: "Withdrawal of a consent",
  AUTOMATED_DECISION: "Automated decisions about me",
};
const STATUS = {
  RECEIVED: "Received",
  IN_PROGRESS: "In progress",
  COMPLETED: "Completed",
  REJECTED: "Rejected",
};
const RETENTION = {
  BOOKING: "Bookings you host (from their end)",
  NOTIFICATION: "Notifications",
  TECHNICAL: "Recorded page views and searches",
  INQUIRY: "Closed inquiries",
};

const $ = (id) => document.getElementById(id);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

const state = { token: storedToken(), retention: [] };

function words(key) {
  const spaced = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function say(text) {
  $("status").textContent = text;
  announce(text);
}

// ---- for everyone ----------------------------------------------------------------------------

async function loadInfo() {
  const { privacyInfo } = await request(INFO);
  const contact = element("a", {
    href: `mailto:${privacyInfo.contactEmail}`,
    text: privacyInfo.contactEmail,
  });
  $("controller-line").replaceChildren(
    `${privacyInfo.controller} is responsible for your data; write to `,
    contact,
    ".",
  );
  $("backup-days").textContent = String(privacyInfo.backupRetentionDays);
  $("categories").replaceChildren(
    ...privacyInfo.categories.map((c) =>
      element(
        "tr",
        {},
        element("th", { scope: "row", text: c.name }),
        element("td", { "data-label": "Why", text: c.purpose }),
        element("td", { "data-label": "Legal basis", text: c.legalBasis }),
        element("td", {
          "data-label": "Kept",
          text: c.retentionDays ? `${c.retentionDays} days` : "while you have an account",
        }),
      ),
    ),
  );
}

function wireInvitee() {
  $("invitee-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("invitee-error");
    error.textContent = "";
    const email = $("invitee-email").value.trim();
    const kind = document.querySelector('input[name="invitee-kind"]:checked').value;
    if (!email) {
      error.textContent = "Please enter the e-mail address you booked with.";
      $("invitee-email").focus();
      return;
    }
    $("invitee-button").disabled = true;
    try {
      await request(INVITEE, { email, kind });
      say(`If we hold anything about ${email}, a code is on its way there. Enter it below.`);
      $("confirm-code").focus();
    } catch (failure) {
      error.textContent = failure.message;
    } finally {
      $("invitee-button").disabled = false;
    }
  });
  $("confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("confirm-error");
    error.textContent = "";
    const code = $("confirm-code").value.trim();
    if (!code) {
      error.textContent = "Please enter the code from the e-mail.";
      $("confirm-code").focus();
      return;
    }
    $("confirm-button").disabled = true;
    try {
      const { confirmPrivacyRequest: confirmed } = await request(CONFIRM, { token: code });
      const due = dateFormat.format(new Date(confirmed.dueAt));
      $("confirmed-text").textContent =
        `Your ${KINDS[confirmed.kind].split(":")[0].toLowerCase()} request is confirmed ` +
        `(number ${confirmed.id}). We answer by ${due}.`;
      $("confirmed").hidden = false;
      $("confirm-form").reset();
      say("Your request is confirmed.");
    } catch (failure) {
      error.textContent =
        failure.code === "NOT_FOUND"
          ? "This code is not valid: it may be mistyped, used already or older than 7 days."
          : failure.message;
      $("confirm-code").focus();
    } finally {
      $("confirm-button").disabled = false;
    }
  });
  // The mailed link carries the code in the fragment, which never reaches a server or its logs.
  const code = new URLSearchParams(window.location.hash.slice(1)).get("code");
  if (code) {
    $("confirm-code").value = code;
    history.replaceState(null, "", window.location.pathname);
    $("confirm-code").focus();
  }
}

// ---- signed in -------------------------------------------------------------------------------

function renderData(myData) {
  const sections = Object.entries(myData.data ?? {}).filter(([, rows]) => rows.length);
  $("data-summary").replaceChildren(
    ...sections.map(([name, rows]) =>
      element(
        "li",
        {},
        element("strong", { text: words(name) }),
        `: ${rows.length} ${rows.length === 1 ? "record" : "records"}`,
      ),
    ),
  );
  $("data-json").textContent = JSON.stringify(myData, null, 2);
}

function renderConsents(consents) {
  const granted = new Map(consents.map((c) => [c.purpose, c.granted]));
  $("consents").replaceChildren(
    ...CONSENTS.map(({ purpose, label, text }) => {
      const id = `consent-${purpose.toLowerCase()}`;
      const input = element("input", {
        type: "checkbox",
        id,
        "data-purpose": purpose,
        "aria-describedby": `${id}-text`,
        checked: granted.get(purpose) === true,
      });
      input.addEventListener("change", () => setConsent(purpose, input));
      return element(
        "li",
        {},
        input,
        element(
          "div",
          {},
          element("label", { for: id, text: label }),
          element("p", { id: `${id}-text`, class: "hint", text }),
        ),
      );
    }),
  );
}

async function setConsent(purpose, input) {
  input.disabled = true;
  try {
    const { setConsent: saved } = await request(
      SET_CONSENT,
      { purpose, granted: input.checked },
      state.token,
    );
    if (purpose === "PERFORMANCE_COOKIES") keepChoice(saved.granted);
    const label = CONSENTS.find((c) => c.purpose === purpose).label;
    say(`${label}: ${saved.granted ? "allowed" : "withdrawn"}.`);
  } catch (failure) {
    input.checked = !input.checked;
    say(failure.message);
  } finally {
    input.disabled = false;
  }
}

function requestItem(r) {
  const open = r.status === "RECEIVED" || r.status === "IN_PROGRESS";
  const due = dateFormat.format(new Date(r.dueAt));
  return element(
    "li",
    { "data-request-id": r.id, "data-status": r.status },
    element("strong", { text: KINDS[r.kind] ?? r.kind }),
    element("span", {
      class: `status status-${r.status.toLowerCase().replace("_", "-")}`,
      text: STATUS[r.status] ?? r.status,
    }),
    element("span", {
      class: r.overdue ? "due overdue" : "due",
      text: open
        ? `Answer due by ${due}${r.overdue ? " — overdue" : ""}`
        : `Answered ${dateFormat.format(new Date(r.resolvedAt))}`,
    }),
    r.resolution ? element("p", { class: "resolution", text: r.resolution }) : null,
  );
}

function renderRequests(requests) {
  $("requests").replaceChildren(...requests.map(requestItem));
  $("requests-empty").hidden = requests.length > 0;
}

function renderRetention(retention) {
  state.retention = retention;
  $("retention").replaceChildren(
    ...retention.map((r) => {
      const id = `retention-${r.category.toLowerCase()}`;
      return element(
        "div",
        { class: "field" },
        element("label", { for: id, text: `${RETENTION[r.category] ?? words(r.category)} (days)` }),
        element("input", {
          id,
          type: "number",
          min: "1",
          max: String(r.defaultDays),
          value: String(r.days),
          inputmode: "numeric",
          "data-category": r.category,
          "aria-describedby": `${id}-hint`,
        }),
        element("span", {
          id: `${id}-hint`,
          class: "hint",
          text: `1 to ${r.defaultDays} (the default)`,
        }),
      );
    }),
  );
}

async function loadCentre() {
  const data = await request(CENTRE, {}, state.token);
  if (!data.me) {
    throw new GraphQLError([{ message: "Signed out.", extensions: { code: "UNAUTHENTICATED" } }]);
  }
  $("me-name").textContent = data.me.name;
  renderData(data.myData);
  renderConsents(data.consents);
  renderRequests(data.privacyRequests);
  renderRetention(data.retention);
}

async function reloadData() {
  const data = await request(CENTRE, {}, state.token);
  renderData(data.myData);
  renderConsents(data.consents);
  renderRequests(data.privacyRequests);
}

async function download() {
  $("download-error").textContent = "";
  $("download").disabled = true;
  try {
    const { requestDataExport: path } = await request(EXPORT, {}, state.token);
    window.location.assign(path); // a ZIP, sent as an attachment: the page stays
    say("Your download has started (a ZIP of my-data.json and bookings.ics).");
  } catch (failure) {
    $("download-error").textContent = failure.message;
  } finally {
    $("download").disabled = false;
  }
}

async function objectTo(processing, text) {
  try {
    await request(OBJECT, { processing }, state.token);
    if (processing === "ANALYTICS") keepChoice(false);
    say(text);
    await reloadData();
  } catch (failure) {
    say(failure.message);
  }
}

async function submitRequest(kind, details) {
  const { submitPrivacyRequest: made } = await request(SUBMIT, { kind, details }, state.token);
  await reloadData();
  say(`Request sent. We answer by ${dateFormat.format(new Date(made.dueAt))}.`);
}

function wireCentre() {
  $("request-kind").replaceChildren(
    ...Object.entries(KINDS).map(([value, text]) => element("option", { value, text })),
  );
  $("download").addEventListener("click", download);
  $("object-analytics").addEventListener("click", () =>
    objectTo("ANALYTICS", "Objection recorded: nothing about your page use is recorded now."),
  );
  $("object-marketing").addEventListener("click", () =>
    objectTo("MARKETING", "Objection recorded: we send you no marketing."),
  );
  $("request-restriction").addEventListener("click", async () => {
    try {
      await submitRequest("RESTRICTION", null);
    } catch (failure) {
      say(failure.message);
    }
  });
  $("request-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("request-error").textContent = "";
    $("request-button").disabled = true;
    try {
      await submitRequest($("request-kind").value, $("request-details").value.trim() || null);
      $("request-form").reset();
    } catch (failure) {
      $("request-error").textContent = failure.message;
    } finally {
      $("request-button").disabled = false;
    }
  });
  $("retention-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("retention-error").textContent = "";
    const changed = [...$("retention").querySelectorAll("input")].filter((input) => {
      const current = state.retention.find((r) => r.category === input.dataset.category);
      return current && Number(input.value) !== current.days;
    });
    if (!changed.length) {
      say("Nothing to change.");
      return;
    }
    $("retention-button").disabled = true;
    try {
      for (const input of changed) {
        await request(
          SET_RETENTION,
          { category: input.dataset.category, days: Number(input.value) },
          state.token,
        );
      }
      const { retention } = await request(CENTRE, {}, state.token);
      renderRetention(retention);
      say("Retention choices saved.");
    } catch (failure) {
      $("retention-error").textContent = failure.message;
    } finally {
      $("retention-button").disabled = false;
    }
  });
  $("delete-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("delete-error");
    error.textContent = "";
    const password = $("delete-password").value;
    if (!$("delete-understood").checked) {
      error.textContent = "Please confirm that you understand this cannot be undone.";
      $("delete-understood").focus();
      return;
    }
    if (!password) {
      error.textContent = "Please enter your password.";
      $("delete-password").focus();
      return;
    }
    $("delete-button").disabled = true;
    try {
      await request(DELETE, { password }, state.token);
      state.token = null;
      await signOut(null);
      $("delete-form").reset();
      showSignedOut();
      say("Your account is deleted, with everything we held about it.");
      $("page-title").focus();
    } catch (failure) {
      error.textContent =
        failure.code === "UNAUTHENTICATED" ? "That password is not right." : failure.message;
      $("delete-password").focus();
    } finally {
      $("delete-button").disabled = false;
    }
  });
  $("sign-out").addEventListener("click", async () => {
    const token = state.token;
    state.token = null;
    showSignedOut();
    say("Signed out.");
    await signOut(token);
  });
}

function showSignedIn() {
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  $("account").hidden = false;
}

function showSignedOut() {
  $("signed-in").hidden = true;
  $("account").hidden = true;
  $("signed-out").hidden = false;
}

async function enter() {
  await loadCentre();
  showSignedIn();
}

function main() {
  const consent = initConsent({ getToken: () => state.token });
  loadInfo().catch((failure) => say(failure.message));
  wireInvitee();
  wireCentre();
  wireSignInForm({
    onSignedIn: async (token) => {
      state.token = token;
      await enter();
      say("Signed in.");
      $("data-title").focus();
      consent.signedIn(token);
    },
  });
  if (state.token) {
    enter()
      .then(() => consent.signedIn(state.token))
      .catch(() => {
        state.token = null;
        signOut(null);
        showSignedOut();
      });
  }
}

main();
