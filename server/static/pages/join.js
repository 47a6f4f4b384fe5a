// An invitation: register a family account with its code, or sign in and add the program.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var code = P.takeFromUrl("code");
  if (code) { P.$("code").value = code; }

  function fields() {
    return { code: P.$("code").value.trim(), login: P.$("login").value.trim(), password: P.$("password").value };
  }

  function joined(token, agencyName) {
    sessionStorage.removeItem("playroll.code");
    sessionStorage.setItem("playroll.family", token);
    P.$("joined-text").textContent = t.joined_text + (agencyName ? " · " + agencyName : "");
    P.show("joined");
  }

  P.$("register-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var f = fields();
    try {
      var result = (await P.gql("mutation($i: RegisterFamilyAccountInput!) { registerFamilyAccount(input: $i) { token errors { code message } } }",
        { i: f })).registerFamilyAccount;
      if (result.token) { joined(result.token, ""); } else { P.say("register-error", P.payloadError(result)); }
    } catch (e) { P.say("register-error", e.message); }
  });

  // An existing account: log in, then add this program's code to it.
  P.$("connect").addEventListener("click", async function () {
    var f = fields();
    try {
      var login = (await P.gql("mutation($i: FamilyLoginInput!) { familyLogin(input: $i) { token errors { code message } } }",
        { i: { login: f.login, password: f.password } })).familyLogin;
      if (!login.token) { P.say("register-error", P.payloadError(login)); return; }
      var added = (await P.gql("mutation($i: AddConnectionInput!) { addConnection(input: $i) { agencyName errors { code message } } }",
        { i: { code: f.code } }, login.token)).addConnection;
      if (added.agencyName) { joined(login.token, added.agencyName); } else { P.say("register-error", P.payloadError(added)); }
    } catch (e) { P.say("register-error", e.message); }
  });
})();
