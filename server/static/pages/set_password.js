// A staff member's set-password link: the token leaves the address bar at once.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var token = P.takeFromUrl("token");
  if (!token) { P.show("invalid"); return; }
  P.$("password-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = (await P.gql("mutation($i: SetStaffPasswordInput!) { setStaffPassword(input: $i) { token errors { code message } } }",
      { i: { token: token, password: P.$("password").value } })).setStaffPassword;
    if (result.token) {
      sessionStorage.removeItem("playroll.token");
      sessionStorage.setItem("playroll.staff", result.token);
      P.show("saved");
      return;
    }
    P.say("password-error", P.payloadError(result) || t.failed);
  });
})();
