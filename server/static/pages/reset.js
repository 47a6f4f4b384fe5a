// A family password reset: ask for a code, then set a new password with it.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  P.$("request-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    await P.gql("mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { __typename } }",
      { i: { login: P.$("login").value.trim() } });
    P.say("request-note", t.reset_code_sent);
    P.$("code").focus();
  });
  P.$("reset-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = (await P.gql("mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { token errors { message } } }",
      { i: { login: P.$("login").value.trim(), code: P.$("code").value.trim(), newPassword: P.$("password").value } })).resetPassword;
    if (!result.token) { P.say("reset-error", P.payloadError(result)); return; }
    sessionStorage.setItem("playroll.family", result.token);
    P.show("reset-done");
  });
})();
