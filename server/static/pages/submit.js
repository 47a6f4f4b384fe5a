// The submission link: verify if asked, review the days, draw a signature, certify, send.
"use strict";
(function () {
  var P = Playroll, t = P.texts;
  var token = P.takeFromUrl("token");
  var REVIEW = "query($t: String!) { attendanceSubmission(token: $t) { siteName timezone agencyName from to " +
    "guardianFirstName children { firstName lastName days { date status signedInAt signedOutAt absenceReason } } } }";
  var STATUS = { SIGNED_IN: t.signed_in, SIGNED_OUT: t.signed_out, ABSENT: t.absent, NOT_ARRIVED: t.not_arrived };

  var zone;  // the site's time zone, from the review: times as the site's clock showed them

  function time(value) {
    return value ? new Date(value).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit", timeZone: zone }) : "";
  }

  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }

  function showReview(review) {
    zone = review.timezone;
    P.$("review-summary").textContent = review.agencyName + " · " + review.siteName + " · " + review.from + " – " + review.to;
    var box = P.$("review-children");
    box.textContent = "";
    review.children.forEach(function (child) {
      var heading = document.createElement("h2");
      heading.textContent = child.firstName + " " + child.lastName;
      var table = document.createElement("table");
      var head = table.insertRow();
      [t.day, t.status, t.in, t.out].forEach(function (h) { var th = document.createElement("th"); th.textContent = h; head.appendChild(th); });
      child.days.forEach(function (day) {
        var row = table.insertRow();
        cell(row, day.date);
        cell(row, (STATUS[day.status] || day.status) + (day.absenceReason ? " (" + day.absenceReason + ")" : ""));
        cell(row, time(day.signedInAt));
        cell(row, time(day.signedOutAt));
      });
      box.appendChild(heading);
      box.appendChild(table);
    });
    P.show("review");
  }

  function invalid() { sessionStorage.removeItem("playroll.token"); P.show("invalid"); }

  async function load() {
    if (!token) { invalid(); return; }
    try {
      showReview((await P.gql(REVIEW, { t: token })).attendanceSubmission);
    } catch (e) {
      if (e.code === "VERIFICATION_REQUIRED") { P.show("verify"); } else { invalid(); }
    }
  }

  async function sendCode(channel) {
    await P.gql("mutation($i: RequestSubmissionCodeInput!) { requestSubmissionCode(input: $i) { ok } }",
      { i: { token: token, channel: channel } });
    P.say("verify-note", t.code_sent);
    P.$("code").focus();
  }
  P.$("send-email").addEventListener("click", function () { sendCode("EMAIL"); });
  P.$("send-sms").addEventListener("click", function () { sendCode("SMS"); });

  P.$("verify-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var data = await P.gql("mutation($i: VerifySubmissionCodeInput!) { verifySubmissionCode(input: $i) { verified errors { code message } } }",
      { i: { token: token, code: P.$("code").value.trim() } });
    var result = data.verifySubmissionCode;
    if (result.verified) { P.say("verify-error", ""); load(); return; }
    if (result.errors.some(function (e) { return e.code === "INVALID_LINK"; })) { invalid(); return; }
    P.say("verify-error", P.payloadError(result) || t.failed);
  });

  var pad = SignaturePad(P.$("signature"));
  P.$("clear").addEventListener("click", pad.clear);

  P.$("sign-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    var strokes = pad.strokes();
    if (!strokes.length) { P.say("sign-error", t.draw_first); return; }
    P.$("sign").disabled = true;
    try {
      var data = await P.gql("mutation($i: SignAttendanceSubmissionInput!) { signAttendanceSubmission(input: $i) { signedAt errors { code message } } }",
        { i: { token: token, strokes: strokes, certified: P.$("certify").checked } });
      var result = data.signAttendanceSubmission;
      if (result.signedAt) { sessionStorage.removeItem("playroll.token"); P.show("done"); return; }
      if (result.errors.some(function (e) { return e.code === "INVALID_LINK"; })) { invalid(); return; }
      P.say("sign-error", P.payloadError(result) || t.failed);
    } catch (e) {
      P.say("sign-error", e.message || t.failed);
    } finally {
      P.$("sign").disabled = false;
    }
  });

  // Pointer events cover finger, pen and mouse; strokes are kept in CSS pixels of the
  // canvas, which is what the API takes (it fits the SVG's viewBox to the drawing).
  function SignaturePad(canvas) {
    var strokes = [], current = null, ctx = canvas.getContext("2d");
    function size() {
      var box = canvas.getBoundingClientRect(), ratio = window.devicePixelRatio || 1;
      canvas.width = box.width * ratio; canvas.height = box.height * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#1b1f24";
      strokes.forEach(draw);
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [Math.round((event.clientX - box.left) * 10) / 10, Math.round((event.clientY - box.top) * 10) / 10];
    }
    function draw(stroke) {
      ctx.beginPath();
      stroke.forEach(function (p, i) { if (i) { ctx.lineTo(p[0], p[1]); } else { ctx.moveTo(p[0], p[1]); } });
      ctx.stroke();
    }
    canvas.addEventListener("pointerdown", function (event) {
      if (strokes.length >= 100) { return; }
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)]; strokes.push(current);
    });
    // The API's limits: 100 strokes, 1,000 points a stroke, 5,000 in all.
    function total() { return strokes.reduce(function (n, s) { return n + s.length; }, 0); }
    canvas.addEventListener("pointermove", function (event) {
      if (!current || current.length >= 1000 || total() >= 5000) { return; }
      current.push(point(event));
      draw(current.slice(-2));
    });
    function end() { current = null; }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    window.addEventListener("resize", size);
    size();
    return {
      strokes: function () { return strokes.filter(function (s) { return s.length >= 2; }); },
      clear: function () { strokes = []; current = null; ctx.clearRect(0, 0, canvas.width, canvas.height); },
    };
  }

  load();
})();
