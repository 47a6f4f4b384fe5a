// Live counts and rosters of one site, over the WebSocket; reconnects with backoff and
// refetches after each reconnection, so a restart or a dropped network heals by itself.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var token = sessionStorage.getItem("playroll.staff");
  var sites = [], socket = null, zone = undefined, current = null;
  var COUNTS = "enrolled signedIn signedOut absent incomplete";
  var ROW = "child { id firstName lastName } classroomId status signedInAt signedOutAt onRoster";
  var STATUS = { SIGNED_IN: t.signed_in, SIGNED_OUT: t.signed_out, ABSENT: t.absent, NOT_ARRIVED: t.not_arrived };
  var LABELS = [["enrolled", t.enrolled], ["signedIn", t.signed_in], ["signedOut", t.signed_out], ["absent", t.absent], ["incomplete", t.incomplete]];
  var SUBSIDY = [["transferred", t.subsidy_transferred], ["outOfSync", t.subsidy_out_of_sync], ["error", t.subsidy_error]];

  function status(state) {
    var box = P.$("status");
    box.textContent = state === "live" ? t.live : t.reconnecting;
    box.className = "status " + state;
  }

  function showCounts(box, counts, labels) {
    box.textContent = "";
    (labels || LABELS).forEach(function (pair) {
      var cell = document.createElement("div");
      var number = document.createElement("strong");
      number.textContent = counts[pair[0]];
      cell.appendChild(number);
      cell.appendChild(document.createTextNode(pair[1]));
      cell.dataset.count = pair[0];
      box.appendChild(cell);
    });
  }

  function time(value) {
    return value ? new Date(value).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit", timeZone: zone }) : "";
  }

  function showRow(entry) {
    var body = P.$("roster-" + entry.classroomId);
    if (!body) { return; }
    var row = P.$("child-" + entry.child.id);
    if (!entry.onRoster) { if (row) { row.remove(); } return; }
    if (!row) { row = body.insertRow(); row.id = "child-" + entry.child.id; }
    row.textContent = "";
    [entry.child.firstName + " " + entry.child.lastName, STATUS[entry.status] || entry.status, time(entry.signedInAt), time(entry.signedOutAt)]
      .forEach(function (text) { row.insertCell().textContent = text; });
    row.dataset.status = entry.status;
  }

  function buildRooms(site) {
    var rooms = P.$("rooms");
    rooms.textContent = "";
    P.$("site-name").textContent = site.name;
    site.classrooms.forEach(function (room) {
      var section = document.createElement("div");
      section.innerHTML = "<h3></h3><div class=\"counts\"></div><table><thead><tr><th></th><th></th><th></th><th></th></tr></thead><tbody></tbody></table>";
      section.querySelector("h3").textContent = room.name;
      section.querySelector(".counts").id = "counts-" + room.id;
      section.querySelector("tbody").id = "roster-" + room.id;
      section.querySelectorAll("th").forEach(function (th, i) { th.textContent = [t.child, t.status, t.in, t.out][i]; });
      rooms.appendChild(section);
    });
  }

  // This month's transfers to the state, for a connected site only. The month is the
  // site's, as the server's clock has it. A role that may not read them (or a passing
  // failure) hides the panel: the live counts must not wait on, or fail with, this part.
  async function showSubsidy(site) {
    var panel = P.$("subsidy");
    try {
      var data = await P.gql("query($s: ID!) { subsidyConnection(siteId: $s) { connected } " +
        "subsidyCounts(siteId: $s) { fromDate transferred outOfSync error } }", { s: site.id }, token);
      if (site !== current) { return; }  // another site was chosen meanwhile
      if (!data.subsidyConnection || !data.subsidyConnection.connected) { panel.hidden = true; return; }
      var first = new Date(data.subsidyCounts.fromDate + "T12:00:00Z");
      P.$("subsidy-month").textContent = first.toLocaleDateString(document.documentElement.lang, { month: "long", year: "numeric", timeZone: "UTC" });
      showCounts(P.$("subsidy-counts"), data.subsidyCounts, SUBSIDY);
      panel.hidden = false;
    } catch (e) {
      panel.hidden = true;
    }
  }

  // Everything the page shows, read fresh: at start and after every reconnection.
  async function refetch(site) {
    showSubsidy(site);
    var fields = site.classrooms.map(function (room, i) {
      return "r" + i + ": classroom(id: \"" + room.id + "\") { roster { " + ROW + " } } " +
        "c" + i + ": liveCounts(siteId: \"" + site.id + "\", classroomId: \"" + room.id + "\") { " + COUNTS + " }";
    });
    var data = await P.gql("{ site: liveCounts(siteId: \"" + site.id + "\") { " + COUNTS + " } " + fields.join(" ") + " }", {}, token);
    showCounts(P.$("site-counts"), data.site);
    site.classrooms.forEach(function (room, i) {
      showCounts(P.$("counts-" + room.id), data["c" + i]);
      (data["r" + i].roster || []).forEach(showRow);
    });
  }

  function watch(site) {
    if (socket) { socket.close(); }
    current = site;
    P.$("subsidy").hidden = true;
    zone = site.timezone;  // times in the site's own zone, wherever the viewer is
    buildRooms(site);
    var operations = [{
      query: "subscription($s: ID!) { liveCounts(siteId: $s) { " + COUNTS + " } }",
      variables: { s: site.id },
      onData: function (data) { showCounts(P.$("site-counts"), data.liveCounts); },
    }];
    site.classrooms.slice(0, 9).forEach(function (room) {
      operations.push({
        query: "subscription($s: ID!, $c: ID!) { liveCounts(siteId: $s, classroomId: $c) { " + COUNTS + " } }",
        variables: { s: site.id, c: room.id },
        onData: function (data) { showCounts(P.$("counts-" + room.id), data.liveCounts); },
      });
      operations.push({
        query: "subscription($c: ID!) { rosterChanged(classroomId: $c) { " + ROW + " } }",
        variables: { c: room.id },
        onData: function (data) { showRow(data.rosterChanged); },
      });
    });
    socket = P.subscribe({
      token: token, operations: operations, onStatus: status,
      onOpen: function () { refetch(site).catch(refused); },
    });
  }

  // A role without Attendance view (or one that lost it) is told so once, instead of a
  // socket that retries for ever; anything else is a passing failure the socket heals.
  function refused(error) {
    if (error && error.code === "FORBIDDEN") {
      if (socket) { socket.close(); socket = null; }
      P.show("denied");
      return true;
    }
    status("reconnecting");
    return false;
  }

  async function start() {
    try {
      sites = (await P.gql("{ sites { id name timezone classrooms { id name } } }", {}, token)).sites;
    } catch (e) {
      sessionStorage.removeItem("playroll.staff");
      P.show("signin");
      return;
    }
    P.$("site").textContent = "";
    sites.forEach(function (site) { P.$("site").add(new Option(site.name, site.id)); });
    if (sites.length) {
      try {
        await P.gql("query($s: ID!) { liveCounts(siteId: $s) { enrolled } }", { s: sites[0].id }, token);
      } catch (e) {
        if (refused(e)) { return; }
      }
    }
    P.show("board");
    if (sites.length) { watch(sites[0]); }
  }

  // Transfers go from the job runner, which sends no event: re-read them now and then.
  setInterval(function () { if (current && socket) { showSubsidy(current); } }, 5 * 60 * 1000);

  P.$("switch-user").addEventListener("click", function () {
    sessionStorage.removeItem("playroll.staff");
    token = null;
    P.show("signin");
  });

  P.$("site").addEventListener("change", function () {
    watch(sites.find(function (s) { return s.id === P.$("site").value; }));
  });

  P.$("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var login = (await P.gql("mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { message } } }",
      { i: { email: P.$("email").value.trim(), password: P.$("password").value } })).staffLogin;
    if (!login.token) { P.say("login-error", P.payloadError(login)); return; }
    token = login.token;
    sessionStorage.setItem("playroll.staff", token);
    start();
  });

  if (token) { start(); }
})();
