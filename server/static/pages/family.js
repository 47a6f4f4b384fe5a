// The family app's daily view for parents without the native app: each child's today,
// the last two weeks, and an absence to report for today.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var token = sessionStorage.getItem("playroll.family");
  var STATUS = { SIGNED_IN: t.signed_in, SIGNED_OUT: t.signed_out, ABSENT: t.absent, NOT_ARRIVED: t.not_arrived };
  var DAY = "date status signedInAt signedOutAt absenceReason timezone";

  // Days counted from the site's today as the server gives it, never the phone's clock.
  function isoDay(from, offset) {
    var day = new Date(Date.parse(from + "T00:00:00Z") + offset * 86400000);
    return day.toISOString().slice(0, 10);
  }

  // Times in the site's zone (the day's own), wherever the phone is.
  function time(value, zone) {
    return value ? new Date(value).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit", timeZone: zone || undefined }) : "";
  }

  function describe(day) {
    return (STATUS[day.status] || day.status) + " " + [time(day.signedInAt, day.timezone), time(day.signedOutAt, day.timezone)].filter(Boolean).join(" – ") +
      (day.absenceReason ? " (" + day.absenceReason + ")" : "");
  }

  function childBox(child) {
    var box = document.createElement("div");
    box.innerHTML = "<h2></h2><p class=\"today\"></p><h3></h3><table><tbody></tbody></table>" +
      "<form><label></label><input type=\"text\" maxlength=\"200\"><button type=\"submit\"></button></form>";
    box.querySelector("h2").textContent = child.firstName + " " + child.lastName;
    box.querySelector(".today").textContent = child.today ? describe(child.today) : "";
    box.querySelector("h3").textContent = t.history;
    (child.history || []).slice().reverse().forEach(function (day) {
      var row = box.querySelector("tbody").insertRow();
      row.insertCell().textContent = day.date;
      row.insertCell().textContent = describe(day);
    });
    var input = box.querySelector("input"), label = box.querySelector("label");
    input.id = "reason-" + child.id;
    label.htmlFor = input.id;
    label.textContent = t.reason_label;
    box.querySelector("button").textContent = t.report_absence;
    box.querySelector("form").addEventListener("submit", async function (event) {
      event.preventDefault();
      var date = child.today.date;
      var result = (await P.gql("mutation($i: ReportAbsenceInput!) { reportAbsence(input: $i) { errors { message } } }",
        { i: { childId: child.id, date: date, reason: input.value.trim(), clientMutationId: crypto.randomUUID() } }, token)).reportAbsence;
      if (result.errors.length) { P.say("family-error", P.payloadError(result)); return; }
      P.say("family-note", t.absence_reported);
      load();
    });
    return box;
  }

  async function load() {
    var first = "{ viewer { ... on ParentViewer { children { id today { date } } } } }";
    var viewer = (await P.gql(first, {}, token)).viewer;
    if (!viewer || !viewer.children) { sessionStorage.removeItem("playroll.family"); P.show("signin"); return; }
    var today = viewer.children.length && viewer.children[0].today ? viewer.children[0].today.date : null;
    var list = P.$("children");
    list.textContent = "";
    if (today) {
      var query = "query($f: Date!, $t: Date!) { viewer { ... on ParentViewer { children { id firstName lastName today { " + DAY +
        " } history(from: $f, to: $t) { " + DAY + " } } } } }";
      viewer = (await P.gql(query, { f: isoDay(today, -14), t: isoDay(today, -1) }, token)).viewer;
      viewer.children.forEach(function (child) { if (child.today) { list.appendChild(childBox(child)); } });
    }
    P.show("today");
  }

  P.$("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = (await P.gql("mutation($i: FamilyLoginInput!) { familyLogin(input: $i) { token errors { message } } }",
      { i: { login: P.$("login").value.trim(), password: P.$("password").value } })).familyLogin;
    if (!result.token) { P.say("login-error", P.payloadError(result)); return; }
    token = result.token;
    sessionStorage.setItem("playroll.family", token);
    load();
  });

  if (token) { load().catch(function () { P.show("signin"); }); }
})();
