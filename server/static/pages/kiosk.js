// The kiosk tablet: paired once by an admin (the device token stays in localStorage),
// then the PIN pad, the adult's children, one tap per child, the QR code, the lock.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var KIND = { SIGN_IN: t.sign_in_child, SIGN_OUT: t.sign_out_child, ABSENT: t.absent };
  var device = localStorage.getItem("playroll.kiosk");
  var pin = "", visitPin = "", entryIds = [], clearAt = null;
  var KIOSK = "{ kiosk { name padState { locked reason until } contactlessCode { svg expiresAt } } }";
  var VISIT = "adult { displayName } children { id displayName status } unconfirmedEntries { id childDisplayName kind at } " +
    "padState { locked until } errors { code message }";

  function kioskGql(query, variables) { return P.gql(query, variables, device); }

  // Pad lock state: from every pad answer, and refreshed every 15 s (a kiosk has no
  // subscription of its own in the public API).
  var lockedUntil = null;

  // The lock countdown ticks each second; at zero the pad asks the server again.
  function tick() {
    if (!lockedUntil) { P.$("countdown").textContent = ""; return; }
    var left = Math.max(0, Math.round((lockedUntil - Date.now()) / 1000));
    P.$("countdown").textContent = t.unlocks_in + " " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) { lockedUntil = null; refresh(); }
  }
  setInterval(tick, 1000);

  function showState(state) {
    if (state.locked) {
      lockedUntil = state.until ? new Date(state.until).getTime() : null;
      tick();
      if (P.$("locked").hidden) { P.show("locked"); }
    } else if (P.$("pad").hidden) {
      P.show("pad");
    }
  }

  async function refresh() {
    try {
      var kiosk = (await kioskGql(KIOSK)).kiosk;
      showState(kiosk.padState);
      var code = kiosk.contactlessCode;
      P.$("qr-box").hidden = !code;
      if (code) {
        // Our own server's SVG (a QR code, no script); refreshed when it expires at midnight.
        P.$("qr").innerHTML = code.svg;
        if (code.expiresAt) {
          setTimeout(refresh, Math.max(1000, new Date(code.expiresAt) - Date.now() + 1000));
        }
      }
    } catch (e) {
      if (e.code === "UNAUTHENTICATED") {
        localStorage.removeItem("playroll.kiosk"); device = null; P.show("pair");
        if (socket) { socket.close(); socket = null; }
      }
    }
  }

  function showPin() { P.$("pin-display").textContent = "•".repeat(pin.length); }

  function buildKeys() {
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", t.ok].forEach(function (label) {
      var key = document.createElement("button");
      key.type = "button";
      key.textContent = label;
      key.setAttribute("aria-label", label === "⌫" ? t.clear : label);
      key.addEventListener("click", function () { press(label); });
      P.$("keys").appendChild(key);
    });
    document.addEventListener("keydown", function (event) {
      if (P.$("pad").hidden || event.target.tagName === "INPUT") { return; }
      if (/^[0-9]$/.test(event.key)) { press(event.key); }
      if (event.key === "Backspace") { press("⌫"); }
      if (event.key === "Enter") { press(t.ok); }
    });
  }

  function press(label) {
    if (label === "⌫") { pin = pin.slice(0, -1); } else if (label === t.ok) { identify(); } else if (pin.length < 12) { pin += label; }
    showPin();
  }

  function showVisit(visit) {
    showState(visit.padState);
    if (!visit.adult) { P.say("pad-error", P.payloadError(visit) || t.failed); return; }
    P.say("pad-error", "");
    P.$("adult-name").textContent = t.hello + ", " + visit.adult.displayName;
    var box = P.$("children");
    box.textContent = "";
    visit.children.forEach(function (child) {
      var button = document.createElement("button");
      var signingIn = child.status !== "SIGNED_IN";
      button.type = "button";
      button.textContent = child.displayName + " · " + (signingIn ? t.sign_in_child : t.sign_out_child);
      button.className = signingIn ? "" : "secondary";
      button.addEventListener("click", function () { signChild(child.id, signingIn); });
      box.appendChild(button);
    });
    entryIds = visit.unconfirmedEntries.map(function (e) { return e.id; });
    P.$("entries").textContent = "";
    visit.unconfirmedEntries.forEach(function (e) {
      var item = document.createElement("li");
      item.textContent = e.childDisplayName + " · " + (KIND[e.kind] || e.kind) + " · " + new Date(e.at).toLocaleString(document.documentElement.lang);
      P.$("entries").appendChild(item);
    });
    P.$("entries-box").hidden = entryIds.length === 0;
    P.$("visit").hidden = false;
    clearTimeout(clearAt);
    clearAt = setTimeout(done, 60000);
  }

  async function identify() {
    visitPin = pin;
    pin = "";
    showPin();
    var data = await kioskGql("mutation($i: KioskPinInput!) { kioskIdentify(input: $i) { " + VISIT + " } }", { i: { pin: visitPin } });
    showVisit(data.kioskIdentify);
  }

  async function signChild(childId, signingIn) {
    var field = signingIn ? "kioskSignIn" : "kioskSignOut";
    var data = await kioskGql("mutation($i: KioskSignInput!) { " + field + "(input: $i) { " + VISIT + " } }",
      { i: { pin: visitPin, childIds: [childId], clientMutationId: crypto.randomUUID() } });
    showVisit(data[field]);
  }

  // The PIN of a visit lives in memory for one minute at most, never in storage.
  function done() { visitPin = ""; P.$("visit").hidden = true; P.say("pad-error", ""); }

  P.$("done").addEventListener("click", done);
  P.$("confirm-entries").addEventListener("click", async function () {
    var data = await kioskGql("mutation($i: KioskConfirmEntriesInput!) { kioskConfirmEntries(input: $i) { " + VISIT + " } }",
      { i: { pin: visitPin, entryIds: entryIds } });
    showVisit(data.kioskConfirmEntries);
  });
  P.$("lock").addEventListener("click", async function () {
    done();
    showState((await kioskGql("mutation { kioskLock { padState { locked until } } }")).kioskLock.padState);
  });
  P.$("unlock-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var result = (await kioskGql("mutation($i: KioskPinInput!) { kioskUnlock(input: $i) { padState { locked until } errors { message } } }",
      { i: { pin: P.$("staff-pin").value } })).kioskUnlock;
    P.$("staff-pin").value = "";
    P.say("unlock-error", P.payloadError(result));
    showState(result.padState);
  });

  // Pairing: an admin signs in, picks the site, names the tablet; their own session ends.
  var staff = null;
  P.$("staff-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var login = (await P.gql("mutation($i: StaffLoginInput!) { staffLogin(input: $i) { token errors { message } } }",
      { i: { email: P.$("email").value.trim(), password: P.$("password").value } })).staffLogin;
    if (!login.token) { P.say("pair-error", P.payloadError(login)); return; }
    staff = login.token;
    var sites = (await P.gql("{ sites { id name } }", {}, staff)).sites;
    sites.forEach(function (site) { P.$("site").add(new Option(site.name, site.id)); });
    P.$("staff-form").hidden = true;
    P.$("pair-form").hidden = false;
    P.say("pair-error", "");
  });
  P.$("pair-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var paired = (await P.gql("mutation($i: PairKioskInput!) { pairKiosk(input: $i) { deviceToken errors { message } } }",
      { i: { siteId: P.$("site").value, name: P.$("name").value.trim() } }, staff)).pairKiosk;
    if (!paired.deviceToken) { P.say("pair-error", P.payloadError(paired)); return; }
    await P.gql("mutation { logout { __typename } }", {}, staff).catch(function () {});
    staff = null;
    device = paired.deviceToken;
    localStorage.setItem("playroll.kiosk", device);
    start();
  });

  // The pad's lock state arrives over the socket (padState: this kiosk's own, its site's
  // locks and unlocks); the pad polls only while the socket is away.
  var socket = null, live = false;
  function start() {
    P.show("pad");
    socket = P.subscribe({
      token: device,
      operations: [{
        query: "subscription { padState { locked reason until } }",
        onData: function (data) { showState(data.padState); },
      }],
      onStatus: function (state) { live = state === "live"; },
      onOpen: refresh,
    });
    refresh();
    setInterval(function () { if (!live && device) { refresh(); } }, 15000);
  }

  buildKeys();
  if (device) { start(); } else { P.show("pair"); }
})();
