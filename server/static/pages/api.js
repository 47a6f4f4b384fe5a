// Shared by every page: texts, sections, the public GraphQL API over HTTP and WebSocket.
// No framework: each page is a few sections shown one at a time.
"use strict";
var Playroll = (function () {
  var texts = JSON.parse(document.getElementById("texts").textContent);

  function $(id) { return document.getElementById(id); }

  // Show one <section data-step> of the page, hide the others, move focus to its heading.
  function show(id) {
    document.querySelectorAll("section[data-step]").forEach(function (s) {
      s.hidden = s.id !== id;
    });
    var heading = $(id).querySelector("h1, h2");
    if (heading) { heading.tabIndex = -1; heading.focus(); }
  }

  function say(id, message) {
    var box = $(id);
    box.textContent = message || "";
    box.hidden = !message;
  }

  // A secret that arrived in the link (?token=, ?code=) moves to this tab's storage and
  // leaves the address bar, history and any later Referer at once.
  function takeFromUrl(name, storage) {
    var params = new URLSearchParams(location.search);
    var value = params.get(name);
    var store = storage || sessionStorage;
    if (value) {
      store.setItem("playroll." + name, value);
      params.delete(name);
      var rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : ""));
    }
    return store.getItem("playroll." + name);
  }

  function GraphQLError(errors) {
    this.errors = errors;
    this.code = (errors[0] && errors[0].extensions && errors[0].extensions.code) || "";
    this.message = (errors[0] && errors[0].message) || texts.failed;
  }

  async function gql(query, variables, token) {
    var headers = { "content-type": "application/json" };
    if (token) { headers.authorization = "Bearer " + token; }
    var response = await fetch("/graphql", {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables || {} }),
      credentials: "omit",
      cache: "no-store",
    });
    var body = await response.json();
    if (body.errors && body.errors.length) { throw new GraphQLError(body.errors); }
    return body.data;
  }

  // The payload's first user error as text, or "" when there is none.
  function payloadError(payload) {
    var errors = (payload && payload.errors) || [];
    return errors.length ? errors[0].message : "";
  }

  // graphql-transport-ws with reconnection: 0.5 s, 1 s, 2 s ... capped at 15 s, reset once
  // connected. onStatus("live" | "reconnecting"); onOpen runs after each (re)connection,
  // so the page refetches what it may have missed while away.
  function subscribe(options) {
    var attempt = 0;
    var closed = false;
    var socket = null;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql";

    function connect() {
      socket = new WebSocket(url, "graphql-transport-ws");
      socket.onopen = function () {
        var payload = options.token ? { authorization: "Bearer " + options.token } : {};
        socket.send(JSON.stringify({ type: "connection_init", payload: payload }));
      };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (message.type === "connection_ack") {
          attempt = 0;
          options.operations.forEach(function (op, i) {
            socket.send(JSON.stringify({
              id: String(i + 1), type: "subscribe",
              payload: { query: op.query, variables: op.variables || {} },
            }));
          });
          options.onStatus("live");
          if (options.onOpen) { options.onOpen(); }
        } else if (message.type === "next") {
          options.operations[Number(message.id) - 1].onData(message.payload.data);
        } else if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        }
      };
      socket.onclose = function () {
        if (closed) { return; }
        options.onStatus("reconnecting");
        var delay = Math.min(15000, 500 * Math.pow(2, attempt)) * (0.8 + Math.random() * 0.4);
        attempt += 1;
        setTimeout(connect, delay);
      };
    }
    connect();
    return { close: function () { closed = true; if (socket) { socket.close(); } } };
  }

  return {
    texts: texts, $: $, show: show, say: say, takeFromUrl: takeFromUrl, gql: gql,
    payloadError: payloadError, subscribe: subscribe,
  };
})();
