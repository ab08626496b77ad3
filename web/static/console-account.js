// The console's account: confirming the e-mail address (the mailed code), the profile (name,
// address, handle, time zone), where you are signed in (revoke any session; this one signs you
// out) and a password change (every other session ends).

import { announce, element, request } from "./graphql.js";
import { $, fillZones, submitting } from "./console-common.js";

const PROFILE_FIELDS = "id name email handle timeZone emailVerified";
const SESSIONS = `query Account {
  me { ${PROFILE_FIELDS} }
  sessions { id createdAt lastUsedAt current }
}`;
const UPDATE_PROFILE = `mutation UpdateProfile($input: ProfileInput!) {
  updateProfile(input: $input) { ${PROFILE_FIELDS} }
}`;
const VERIFY = "mutation Verify($code: String!) { verifyEmail(code: $code) }";
const RESEND = "mutation Resend { resendEmailVerification }";
const REVOKE = "mutation Revoke($id: ID!) { revokeSession(id: $id) }";
const CHANGE = `mutation ChangePassword($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}`;

const stampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function createAccount(getToken, signOut) {
  function sessionItem(session) {
    const started = stampFormat.format(new Date(session.createdAt));
    const used = session.lastUsedAt
      ? `last used ${stampFormat.format(new Date(session.lastUsedAt))}`
      : "not used since";
    const revoke = element("button", {
      type: "button",
      class: "small danger",
      text: session.current ? "Sign out here" : "End session",
      "aria-label": session.current
        ? "Sign out of this session"
        : `End the session started ${started}`,
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
        element("span", {
          class: "meta",
          text: session.current ? `since ${started}, ${used}` : used,
        }),
      ),
      revoke,
    );
  }

  function renderProfile(me) {
    $("verify-form").hidden = me.emailVerified;
    $("verify-hint").textContent = `We e-mailed a code to ${me.email}.`;
    $("profile-name").value = me.name;
    $("profile-email").value = me.email;
    $("profile-handle").value = me.handle ?? "";
    fillZones($("profile-zone"), me.timeZone);
    $("me-name").textContent = me.name;
  }

  async function load() {
    const { me, sessions } = await request(SESSIONS, {}, getToken());
    renderProfile(me);
    $("session-list").replaceChildren(...sessions.map(sessionItem));
  }

  $("verify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = $("verify-code").value.trim();
    if (!code) {
      $("verify-error").textContent = "Please enter the code from the e-mail.";
      return;
    }
    await submitting($("verify-save"), $("verify-error"), async () => {
      await request(VERIFY, { code }, getToken());
      event.target.reset();
      announce("Your e-mail address is confirmed.");
      await load();
      $("account-title").focus();
    });
  });

  $("verify-resend").addEventListener("click", async (event) => {
    await submitting(event.target, $("verify-error"), async () => {
      await request(RESEND, {}, getToken());
      announce("A new code is on its way.");
    });
  });

  $("profile-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      name: $("profile-name").value.trim(),
      email: $("profile-email").value.trim(),
      handle: $("profile-handle").value.trim() || null,
      timeZone: $("profile-zone").value,
    };
    $("profile-done").textContent = "";
    await submitting(
      $("profile-save"),
      $("profile-error"),
      async () => {
        const { updateProfile } = await request(UPDATE_PROFILE, { input }, getToken());
        renderProfile(updateProfile);
        $("profile-done").textContent = updateProfile.emailVerified
          ? "Profile saved."
          : "Profile saved. Please confirm your address with the code we e-mailed.";
      },
      { CONFLICT: "Another account uses this e-mail or handle." },
    );
  });

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
    await submitting(
      $("password-save"),
      $("password-error"),
      async () => {
        await request(CHANGE, { current, new: next }, getToken());
        event.target.reset();
        $("password-done").textContent = "Password changed. Your other sessions have ended.";
        await load();
      },
      { UNAUTHENTICATED: "Your current password is not right." },
    );
  });

  return { load };
}
