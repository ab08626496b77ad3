// The console's account: where you are signed in (revoke any session, this one signs you out)
// and a password change (every other session ends).

import { announce, element, request } from "./graphql.js";
import { $, submitting } from "./console-common.js";

const SESSIONS = "query Sessions { sessions { id createdAt lastUsedAt current } }";
const REVOKE = "mutation Revoke($id: ID!) { revokeSession(id: $id) }";
const CHANGE = `mutation ChangePassword($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}`;

const stampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function createAccount(getToken, signOut) {
  function sessionItem(session) {
    const started = stampFormat.format(new Date(session.createdAt));
    const used = session.lastUsedAt ? `last used ${stampFormat.format(new Date(session.lastUsedAt))}` : "not used since";
    const revoke = element("button", {
      type: "button",
      class: "small danger",
      text: session.current ? "Sign out here" : "End session",
      "aria-label": session.current ? "Sign out of this session" : `End the session started ${started}`,
    });
    revoke.addEventListener("click", async () => {
      revoke.disabled = true;
      try {
        await request(REVOKE, { id: session.id }, getToken());
        if (session.current) {
          await signOut();
          return;
        }
        announce("Session ended.");
        await load();
        $("sessions-title").focus();
      } catch (error) {
        revoke.disabled = false;
        announce(error.message);
      }
    });
    return element(
      "li",
      { class: "item", "data-session-id": session.id },
      element(
        "div",
        { class: "item-main" },
        element("strong", { text: session.current ? "This browser" : `Signed in ${started}` }),
        element("span", { class: "meta", text: session.current ? `since ${started}, ${used}` : used }),
      ),
      revoke,
    );
  }

  async function load() {
    const { sessions } = await request(SESSIONS, {}, getToken());
    $("session-list").replaceChildren(...sessions.map(sessionItem));
  }

  $("sessions-title").setAttribute("tabindex", "-1");
  $("password-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const current = $("current-password").value;
    const next = $("new-password").value;
    $("password-done").textContent = "";
    if (!current || !next) {
      $("password-error").textContent = "Please give your current and a new password.";
      return;
    }
    await submitting($("password-save"), $("password-error"), async () => {
      await request(CHANGE, { current, new: next }, getToken());
      event.target.reset();
      $("password-done").textContent = "Password changed. Your other sessions have ended.";
      await load();
    }, { UNAUTHENTICATED: "Your current password is not right." });
  });

  return { load };
}
