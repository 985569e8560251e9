/* The live-chat widget: one <script src=".../chat/widget.js" data-key="PUBLIC_KEY" async>
 * on any allowed site. Hand-written, no dependencies. Frame protocol: docs/webchat.md.
 * Everything a visitor or an agent wrote is put on screen with textContent, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.key || window.HelpdeskChat) return;

  var KEY = script.dataset.key;
  var MODE = script.dataset.mode === "page" ? "page" : "widget";
  var ROOT = new URL("../", script.src);
  var STORE = "helpdesk-chat:" + KEY;
  var PING_MS = 25000;
  var TYPING_IDLE_MS = 3000;

  var cfg = null;
  var ui = {};
  var sock = null;
  var ready = false;
  var retries = 0;
  var pingTimer = null;
  var typingSent = 0;
  var typingTimer = null;
  var agentTypingTimer = null;
  var rows = {}; // "id:<n>" and "cid:<client id>" -> row element

  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(STORE + ":" + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }
  function save(name, value) {
    try {
      if (value === null) window.localStorage.removeItem(STORE + ":" + name);
      else window.localStorage.setItem(STORE + ":" + name, JSON.stringify(value));
    } catch (e) { /* private mode: the chat still works until reload */ }
  }

  function t(name, params) {
    var text = (cfg && cfg.strings[name]) || name;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("%(" + k + ")s").join(params[k]);
    });
    return text;
  }

  var ICONS = {
    chat: "M4 5h16v11H9l-5 4z",
    clip: "M16 7v9a4 4 0 0 1-8 0V6a2.5 2.5 0 0 1 5 0v9.5a1 1 0 0 1-2 0V7"
  };

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "hc-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function newClientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "c" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function pageLanguage() {
    return script.dataset.lang || document.documentElement.lang || navigator.language || "en";
  }

  /* ---- building the UI ------------------------------------------------------------ */

  function build() {
    var host = el("div");
    host.id = "helpdesk-chat";
    var shadow = host.attachShadow({ mode: "open" });
    var css = el("link");
    css.rel = "stylesheet";
    css.href = new URL("chat/widget.css", ROOT).href;
    shadow.appendChild(css);

    var wrap = el("div", "hc " + (MODE === "page" ? "hc-page" : "hc-widget"));
    wrap.setAttribute("dir", cfg.dir);
    wrap.setAttribute("lang", cfg.language);
    ui.wrap = wrap;

    ui.launcher = el("button", "hc-launcher");
    ui.launcher.type = "button";
    ui.launcher.setAttribute("aria-label", t("open"));
    ui.launcher.appendChild(icon("chat"));
    ui.launcher.addEventListener("click", function () { toggle(true); });

    var panel = el("section", "hc-panel");
    panel.setAttribute("aria-label", cfg.title);
    ui.panel = panel;
    var head = el("header", "hc-head");
    head.appendChild(el("strong", "hc-title", cfg.title));
    ui.closeBtn = el("button", "hc-close", "×");
    ui.closeBtn.type = "button";
    ui.closeBtn.setAttribute("aria-label", t("close"));
    ui.closeBtn.addEventListener("click", function () { toggle(false); });
    head.appendChild(ui.closeBtn);
    panel.appendChild(head);

    ui.notice = el("div", "hc-notice");
    ui.notice.hidden = true;
    panel.appendChild(ui.notice);
    ui.status = el("div", "hc-status");
    ui.status.hidden = true;
    panel.appendChild(ui.status);
    // An identified visitor (a known email, a verified user) can follow earlier
    // conversations, of every channel, in the desk's customer portal (when it has one).
    ui.previous = el("a", "hc-previous", t("previous"));
    ui.previous.hidden = true;
    if (cfg.portal_url) {
      ui.previous.href = new URL(cfg.portal_url, ROOT).href;
      ui.previous.target = "_blank";
      ui.previous.rel = "noopener";
    }
    panel.appendChild(ui.previous);

    ui.log = el("div", "hc-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.appendChild(el("div", "hc-greeting", cfg.greeting));
    panel.appendChild(ui.log);
    ui.typing = el("div", "hc-typing");
    ui.typing.hidden = true;
    panel.appendChild(ui.typing);

    panel.appendChild(buildPrechat());
    panel.appendChild(buildComposer());
    wrap.appendChild(panel);
    if (MODE === "widget") wrap.appendChild(ui.launcher);
    shadow.appendChild(wrap);
    // The standalone page is the desk's own: the chat belongs in its <main> landmark.
    ((MODE === "page" && document.querySelector("main")) || document.body).appendChild(host);
    toggle(MODE === "page" || load("open", false));
  }

  // The questions come from the inbox's settings (cfg.prechat_fields): name, email,
  // phone or a typed contact attribute, each with its label in the widget's language.
  function buildPrechat() {
    var form = el("form", "hc-prechat");
    form.hidden = true;
    form.noValidate = true;  // the server checks every answer and says what is wrong
    form.appendChild(el("p", "hc-prechat-title", t("prechat_title")));
    ui.preFields = {};
    (cfg.prechat_fields || []).forEach(function (q, i) {
      form.appendChild(prechatField(q, "hc-pre-" + i));
    });
    var go = el("button", "hc-button", t("start"));
    go.type = "submit";
    form.appendChild(go);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var values = {};
      Object.keys(ui.preFields).forEach(function (key) {
        var input = ui.preFields[key].input;
        values[key] = input.type === "checkbox" ? (input.checked ? "yes" : "") : input.value;
      });
      showPrechatErrors({});
      send({ type: "prechat", values: values });
    });
    ui.prechat = form;
    return form;
  }

  function prechatField(q, id) {
    var box = el("div", "hc-prechat-field");
    var label = el("label", "hc-prechat-label", q.label + (q.required ? " *" : ""));
    label.htmlFor = id;
    var input;
    if (q.type === "list") {
      input = el("select");
      input.appendChild(el("option", null, "—")).value = "";
      q.choices.forEach(function (c) { input.appendChild(el("option", null, c)).value = c; });
    } else {
      input = el("input");
      input.type = q.type === "checkbox" ? "checkbox" : q.input;
      input.maxLength = q.key === "name" ? 200 : 320;
      if (q.type === "date") input.placeholder = cfg.language === "fa" ? "۱۴۰۳/۰۵/۱۲" : "2024-08-02";
      if (q.key === "name" || q.key === "email") input.autocomplete = q.key;
      if (q.key === "phone") input.autocomplete = "tel";
    }
    if (["email", "phone", "link", "number", "date"].indexOf(q.type) >= 0) input.setAttribute("dir", "ltr");
    input.id = id;
    input.name = q.key;
    if (q.required) input.setAttribute("aria-required", "true");
    var error = el("span", "hc-prechat-error");
    error.id = id + "-error";
    error.hidden = true;
    input.setAttribute("aria-describedby", error.id);
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(error);
    ui.preFields[q.key] = { input: input, error: error };
    return box;
  }

  function showPrechatErrors(errors) {
    var first = null;
    Object.keys(ui.preFields).forEach(function (key) {
      var field = ui.preFields[key];
      field.error.textContent = errors[key] || "";
      field.error.hidden = !errors[key];
      field.input.setAttribute("aria-invalid", errors[key] ? "true" : "false");
      if (errors[key] && !first) first = field.input;
    });
    if (first) first.focus();
  }

  function buildComposer() {
    var form = el("form", "hc-composer");
    ui.file = el("input");
    ui.file.type = "file";
    ui.file.hidden = true;
    ui.file.tabIndex = -1;
    ui.file.setAttribute("aria-label", t("attach"));
    ui.file.addEventListener("change", function () {
      if (ui.file.files && ui.file.files[0]) upload(ui.file.files[0]);
      ui.file.value = "";
    });
    var attach = el("button", "hc-attach");
    attach.appendChild(icon("clip"));
    attach.type = "button";
    attach.setAttribute("aria-label", t("attach"));
    attach.title = t("attach");
    attach.addEventListener("click", function () { ui.file.click(); });
    ui.input = el("textarea", "hc-input");
    ui.input.rows = 1;
    ui.input.setAttribute("dir", "auto");
    ui.input.placeholder = t("placeholder");
    ui.input.setAttribute("aria-label", t("placeholder"));
    ui.input.maxLength = 5000;
    ui.input.addEventListener("input", typed);
    ui.input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        submit();
      }
    });
    var go = el("button", "hc-send", t("send"));
    go.type = "submit";
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    form.appendChild(ui.file);
    form.appendChild(attach);
    form.appendChild(ui.input);
    form.appendChild(go);
    ui.composer = form;
    return form;
  }

  function toggle(open) {
    ui.wrap.classList.toggle("hc-open", open);
    if (MODE === "widget") save("open", open);
    if (open && ui.input) ui.input.focus();
  }

  function showNotice(text, isError) {
    ui.notice.textContent = text;
    ui.notice.classList.toggle("hc-error", !!isError);
    ui.notice.classList.remove("hc-away-notice");
    ui.notice.hidden = !text;
  }

  // No agent online: one notice, the title as its first sentence, then what to do and
  // when to expect an answer. Each `ready` (reconnects too) replaces it, never appends.
  function showAway() {
    showNotice("");
    var title = el("strong", "hc-away-title", t("offline_title"));
    ui.notice.appendChild(title);
    [cfg.offline.message, cfg.offline.reply_time].forEach(function (part) {
      if (part) ui.notice.appendChild(document.createTextNode(" " + part));
    });
    ui.notice.classList.add("hc-away-notice");
    ui.notice.hidden = false;
  }

  /* ---- messages ------------------------------------------------------------------- */

  function timeOf(iso) {
    var d = iso ? new Date(iso) : new Date();
    var locale = cfg.language === "fa" ? "fa-IR" : "en";
    return d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  }

  function render(msg) {
    var row = (msg.id && rows["id:" + msg.id]) || (msg.client_id && rows["cid:" + msg.client_id]);
    var fresh = !row;
    if (fresh) row = el("div", "hc-msg hc-from-" + msg.from);
    row.textContent = "";
    if (msg.id) { row.dataset.id = msg.id; rows["id:" + msg.id] = row; }
    if (msg.client_id) { row.dataset.clientId = msg.client_id; rows["cid:" + msg.client_id] = row; }
    if (msg.text) {
      var body = el("div", "hc-bubble", msg.text);
      body.setAttribute("dir", "auto");
      row.appendChild(body);
    }
    (msg.attachments || []).forEach(function (a) { row.appendChild(attachmentNode(a)); });
    if (msg.survey) row.appendChild(surveyNode(msg.survey));
    var meta = el("div", "hc-meta");
    meta.appendChild(el("span", "hc-author", msg.from === "agent" ? (msg.author || t("agent")) : t("you")));
    meta.appendChild(el("time", "hc-time", timeOf(msg.created_at)));
    if (msg.from === "visitor") meta.appendChild(el("span", "hc-state"));
    row.appendChild(meta);
    setState(row, msg.from === "visitor" ? (row.dataset.state === "delivered" ? "delivered" : msg.status) : "");
    if (fresh) {
      ui.log.appendChild(row);
      ui.log.scrollTop = ui.log.scrollHeight;
    }
    if (msg.from === "agent" && msg.id) delivered(msg.id);
    return row;
  }

  /* A survey question's scale, answered in place (channels_in/webchat/survey.py). */
  var surveys = {};
  function surveyNode(s) {
    var box = el("div", "hc-survey");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", s.kind === "nps" ? "0-10" : "1-5");
    for (var score = s.min; score <= s.max; score++) {
      var btn = el("button", "hc-rate", (s.labels || {})[score] || String(score));
      btn.type = "button";
      btn.dataset.score = score;
      btn.setAttribute("aria-label", String(score));
      btn.addEventListener("click", function (ev) {
        send({ type: "rate", request_id: s.request_id, score: +ev.currentTarget.dataset.score });
      });
      box.appendChild(btn);
    }
    box.appendChild(el("div", "hc-survey-thanks"));
    surveys[s.request_id] = { node: box, survey: s };
    if (s.score !== null && s.score !== undefined) rated(s.request_id, s.score);
    return box;
  }

  function rated(requestId, score) {
    var entry = surveys[requestId];
    if (!entry) return;
    entry.node.querySelectorAll(".hc-rate").forEach(function (btn) {
      var chosen = +btn.dataset.score === score;
      btn.setAttribute("aria-pressed", chosen ? "true" : "false");
      btn.classList.toggle("hc-chosen", chosen);
    });
    var label = (entry.survey.labels || {})[score] || String(score);
    entry.node.querySelector(".hc-survey-thanks").textContent =
      (entry.survey.thanks || "").replace("%(rating)s", label);
  }

  function attachmentNode(a) {
    var url = new URL(a.url, ROOT).href;
    var link = el("a", "hc-file");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener";
    if (a.image) {
      var img = el("img", "hc-image");
      img.src = url;
      img.alt = a.name;
      link.appendChild(img);
    } else {
      link.className += " hc-download";
      link.textContent = a.name;
      link.setAttribute("download", a.name);
    }
    return link;
  }

  function setState(row, state) {
    if (!state) return;
    row.dataset.state = state;
    var node = row.querySelector(".hc-state");
    if (!node) return;
    node.textContent = state === "delivered" ? "✓✓ " + t("delivered") : state === "sent" ? "✓ " + t("sent")
      : state === "failed" ? t("failed") : t("sending");
  }

  function delivered(upTo) {
    Object.keys(rows).forEach(function (k) {
      var row = rows[k];
      if (row.classList.contains("hc-from-visitor") && row.dataset.id && +row.dataset.id < upTo) {
        setState(row, "delivered");
      }
    });
  }

  /* ---- sending -------------------------------------------------------------------- */

  function outbox() { return load("outbox", []); }

  function submit() {
    var text = ui.input.value;
    if (!text.trim()) return;
    ui.input.value = "";
    stopTyping();
    var item = { client_id: newClientId(), text: text };
    save("outbox", outbox().concat([item]));
    render({ client_id: item.client_id, from: "visitor", text: text, status: "sending" });
    if (ready) send({ type: "message", client_id: item.client_id, text: text });
  }

  function resend(clientId) {
    outbox().forEach(function (item) {
      if (item.client_id === clientId && ready) {
        setState(rows["cid:" + clientId], "sending");
        send({ type: "message", client_id: item.client_id, text: item.text });
      }
    });
  }

  function acked(clientId, messageId) {
    save("outbox", outbox().filter(function (item) { return item.client_id !== clientId; }));
    var row = rows["cid:" + clientId];
    if (row) {
      row.dataset.id = messageId;
      rows["id:" + messageId] = row;
      if (row.dataset.state !== "delivered") setState(row, "sent");
    }
  }

  function upload(file) {
    if (file.size > cfg.attachment_max_bytes) {
      var mb = Math.max(1, Math.round(cfg.attachment_max_bytes / 1048576));
      showNotice(t("too_large", { limit: mb + " MB" }), true);
      return;
    }
    var clientId = newClientId();
    var row = render({ client_id: clientId, from: "visitor", text: file.name, status: "sending" });
    var form = new FormData();
    form.append("token", load("token", ""));
    form.append("client_id", clientId);
    form.append("file", file);
    fetch(new URL("chat/" + KEY + "/upload/", ROOT).href, { method: "POST", body: form })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) throw new Error(refusal(res.body.error) || res.body.message || t("error"));
        render(res.body.message);
        acked(clientId, res.body.message_id);
      })
      .catch(function (err) {
        setState(row, "failed");
        showNotice(err.message || t("error"), true);
      });
  }

  function typed() {
    var now = Date.now();
    if (now - typingSent > 2000) {
      typingSent = now;
      send({ type: "typing", is_typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSent) send({ type: "typing", is_typing: false });
    typingSent = 0;
  }

  /* ---- the socket ----------------------------------------------------------------- */

  function send(frame) {
    if (sock && sock.readyState === 1 && (ready || frame.type === "hello")) {
      sock.send(JSON.stringify(frame));
    }
  }

  function connect() {
    var url = new URL("ws/chat/" + KEY + "/", ROOT);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    sock = new WebSocket(url.href);
    sock.onopen = function () {
      var hello = { type: "hello", language: cfg.language, page: String(location.href).slice(0, 500) };
      var token = load("token", null);
      if (token) hello.token = token;
      var ident = window.HelpdeskChatSettings || {};
      if (ident.userId && ident.userHash) {
        hello.user_id = String(ident.userId);
        hello.user_hash = String(ident.userHash);
      }
      sock.send(JSON.stringify(hello));
    };
    sock.onmessage = function (ev) {
      var frame;
      try { frame = JSON.parse(ev.data); } catch (e) { return; }
      handle(frame);
    };
    sock.onclose = function (ev) {
      ready = false;
      clearInterval(pingTimer);
      ui.status.textContent = t("reconnecting");
      ui.status.hidden = false;
      retries += 1;
      // 4500: the desk may have lost frames (docs/webchat.md); come back soon, spread
      // out, and the next `ready` brings the history again.
      var wait = ev.code === 4500 ? 200 + Math.random() * 1000 : 500 * Math.pow(2, Math.min(retries, 5));
      setTimeout(connect, Math.min(15000, wait));
    };
  }

  var handlers = {
    ready: function (f) {
      ready = true;
      retries = 0;
      save("token", f.token);
      ui.status.hidden = true;
      ui.previous.hidden = !(cfg.portal_url && f.visitor && (f.visitor.email || f.visitor.verified));
      f.messages.forEach(render);
      ui.prechat.hidden = !f.prechat_required;
      ui.composer.hidden = f.prechat_required;
      if (f.agents_online) showNotice("");
      else showAway();
      ui.wrap.classList.toggle("hc-away", !f.agents_online);
      outbox().forEach(function (item) {
        if (!rows["cid:" + item.client_id]) {
          render({ client_id: item.client_id, from: "visitor", text: item.text, status: "sending" });
        }
        send({ type: "message", client_id: item.client_id, text: item.text });
      });
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
    },
    ack: function (f) { acked(f.client_id, f.message_id); },
    rated: function (f) { rated(f.request_id, f.score); },
    message: function (f) {
      render(f.message);
      if (f.message.from === "agent") showTyping(null);
    },
    typing: function (f) { showTyping(f.is_typing ? f.name : null); },
    seen: function (f) { delivered(f.up_to + 1); },
    "prechat.invalid": function (f) { showPrechatErrors(f.errors || {}); },
    "prechat.saved": function () {
      ui.prechat.hidden = true;
      ui.composer.hidden = false;
      showNotice("");
      ui.input.focus();
    },
    pong: function () {},
    error: function (f) {
      if (f.code === "bad_token") {
        save("token", null); // signed for another desk or secret: start over
        return;
      }
      var row = f.client_id && rows["cid:" + f.client_id];
      if (row) {
        setState(row, "failed");
        row.addEventListener("click", function () { resend(f.client_id); }, { once: true });
      }
      showNotice(refusal(f.code) || t("error"), true);
    }
  };

  // The visitor's own words for a limit the server names (the settings' translated strings).
  var REFUSALS = ["rate_limited", "too_many_conversations", "upload_limited"];
  function refusal(code) {
    return REFUSALS.indexOf(code) >= 0 ? t(code) : "";
  }

  function handle(frame) {
    var fn = frame && handlers[frame.type];
    if (fn) fn(frame);
  }

  function showTyping(name) {
    clearTimeout(agentTypingTimer);
    ui.typing.hidden = !name;
    ui.typing.textContent = name ? t("typing", { name: name }) : "";
    if (name) agentTypingTimer = setTimeout(function () { showTyping(null); }, 8000);
  }

  /* ---- start ---------------------------------------------------------------------- */

  window.HelpdeskChat = {
    open: function () { if (ui.wrap) toggle(true); },
    close: function () { if (ui.wrap) toggle(false); },
    /* Call on the site's logout: forget this browser's conversation. */
    reset: function () {
      save("token", null);
      save("outbox", null);
      Object.keys(rows).forEach(function (k) { rows[k].remove(); });
      rows = {};
      if (sock) sock.close(); // reconnects as a new visitor
    }
  };

  function start() {
    var url = new URL("chat/" + KEY + "/settings/", ROOT);
    url.searchParams.set("lang", pageLanguage());
    fetch(url.href)
      .then(function (r) { if (!r.ok) throw new Error("refused " + r.status); return r.json(); })
      .then(function (settings) { cfg = settings; build(); connect(); })
      .catch(function (err) { window.console && console.warn("helpdesk chat unavailable:", err); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
