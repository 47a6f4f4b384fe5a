// A guardian signs in and confirms the entries staff recorded for their children.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var KIND = { SIGN_IN: t.sign_in_child, SIGN_OUT: t.sign_out_child, ABSENT: t.absent };
  var token = sessionStorage.getItem("playroll.family");
  var ENTRIES = "{ viewer { ... on ParentViewer { unconfirmedEntries { id kind at date timezone child { firstName lastName } } } } }";
  var ids = [];

  async function list() {
    var viewer = (await P.gql(ENTRIES, {}, token)).viewer;
    if (!viewer || !viewer.unconfirmedEntries) { sessionStorage.removeItem("playroll.family"); P.show("signin"); return; }
    var rows = P.$("entry-rows");
    rows.textContent = "";
    ids = viewer.unconfirmedEntries.map(function (e) { return e.id; });
    viewer.unconfirmedEntries.forEach(function (e) {
      var row = rows.insertRow();
      [e.date, e.child.firstName + " " + e.child.lastName.charAt(0) + ". · " + (KIND[e.kind] || e.kind),
        new Date(e.at).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit", timeZone: e.timezone })]
        .forEach(function (text) { row.insertCell().textContent = text; });
    });
    P.$("nothing").hidden = ids.length > 0;
    P.$("confirm").hidden = ids.length === 0;
    P.show("entries");
  }

  P.$("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = (await P.gql("mutation($i: FamilyLoginInput!) { familyLogin(input: $i) { token errors { message } } }",
      { i: { login: P.$("login").value.trim(), password: P.$("password").value } })).familyLogin;
    if (!result.token) { P.say("login-error", P.payloadError(result)); return; }
    token = result.token;
    sessionStorage.setItem("playroll.family", token);
    list();
  });

  P.$("confirm").addEventListener("click", async function () {
    var result = (await P.gql("mutation($i: ConfirmAttendanceInput!) { confirmAttendance(input: $i) { errors { message } } }",
      { i: { entryIds: ids.slice(0, 100) } }, token)).confirmAttendance;
    if (result.errors.length) { P.say("confirm-error", P.payloadError(result)); return; }
    await list();
    P.say("confirm-note", t.confirmed);
  });

  if (token) { list().catch(function () { P.show("signin"); }); }
})();
