/*
 * Passerelle chat widget: talks to Rasa's socket.io channel, plain JavaScript, no build step.
 *
 * Embed it in any page with one tag (the attributes are optional):
 *   <script src="https://ASSISTANT:8000/static/widget.js" data-rasa-url="https://ASSISTANT:5005"></script>
 * Attributes: data-rasa-url (Rasa's address; default: this script's host on port 5005),
 * data-idle-minutes (default 10), data-target (id of an element to fill, open; otherwise a
 * launcher button opens a floating panel), data-clear-all ("true": "Terminer et effacer" clears
 * all of this site's storage and cookies, not only the widget's own keys).
 *
 * Every message is written with textContent: nothing the user or the bot says becomes HTML.
 */
(function () {
  "use strict";

  var STORE_KEY = "passerelle:conversation";
  var OPEN_KEY = "passerelle:open";
  var MAX_CHARS = 2000;
  var DEFAULT_IDLE_MINUTES = 10;
  var DEFAULT_RASA_PORT = "5005";
  var WARNING_MS = 60 * 1000;
  var REVEAL_MS = 700;
  var REPLY_WAIT_MS = 20 * 1000;
  var SIZES = 3;

  var TEXT = {
    title: "Discuter avec Passerelle",
    launcher: "Besoin d'aide ? Discuter avec Passerelle",
    close: "Fermer",
    size: "Texte :",
    sizeGroup: "Taille du texte",
    bigger: "Plus grand",
    smaller: "Plus petit",
    clear: "Terminer et effacer",
    log: "Conversation",
    hint: "Écrivez votre question en bas de la fenêtre. Par exemple : « J'ai oublié mon mot de passe ».",
    bot: "Passerelle :",
    user: "Vous :",
    listen: "Écouter",
    listenLoading: "Chargement…",
    listenStop: "Arrêter",
    listenFailed: "La lecture à voix haute ne marche pas pour le moment.",
    replies: "Choisissez une réponse :",
    repliesGroup: "Réponses proposées",
    typing: "Passerelle écrit",
    label: "Votre message",
    help: "Appuyez sur Entrée pour envoyer. Maj + Entrée pour aller à la ligne.",
    send: "Envoyer",
    empty: "Écrivez votre message avant d'envoyer.",
    tooLong: function (length) {
      return "Votre message est trop long : " + length + " caractères. Le maximum est " +
        MAX_CHARS + ". Raccourcissez-le, puis envoyez.";
    },
    connecting: "Connexion à l'assistant…",
    offline: "L'assistant ne répond pas pour le moment. Nouvel essai dans quelques secondes.",
    queued: "Votre message est gardé. Il partira dès que l'assistant répondra.",
    back: "L'assistant est de nouveau disponible.",
    slow: "L'assistant met du temps à répondre. Patientez un peu.",
    idle: function (seconds) {
      return "Vous êtes toujours là ? Sans action de votre part, la conversation sera effacée dans " +
        seconds + " secondes.";
    },
    idleKeep: "Continuer la conversation",
    idleClear: "Effacer maintenant",
    cleared: "La conversation est effacée. Vous pouvez en commencer une nouvelle.",
    clearedIdle: "La conversation a été effacée car personne ne l'utilisait.",
    noSocket: "L'assistant ne peut pas démarrer. Rechargez la page."
  };

  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var data = (script && script.dataset) || {};
  var scriptUrl = new URL(script ? script.src : "/static/widget.js", window.location.href);
  var BASE = scriptUrl.origin;
  var RASA_URL = data.rasaUrl || (scriptUrl.protocol + "//" + scriptUrl.hostname + ":" + DEFAULT_RASA_PORT);
  var idleMinutes = parseFloat(data.idleMinutes);
  var IDLE_MS = (idleMinutes > 0 ? idleMinutes : DEFAULT_IDLE_MINUTES) * 60 * 1000;
  var WARN_MS = Math.min(WARNING_MS, IDLE_MS / 2);
  var CLEAR_ALL = data.clearAll === "true";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var state = null;
  var socket = null;
  var confirmed = false;
  var wasOffline = false;
  var queue = [];
  var revealing = false;
  var replyTimer = null;
  var idleTimer = null;
  var clearTimer = null;
  var audio = null;
  var audioButton = null;
  var ui = {};

  // ---------- storage ----------

  // The server issues the session id and its signature (session_confirm); the widget keeps
  // both, and shows the signature again to get the same conversation back after a reload.
  function freshState() {
    return { sessionId: "", signature: "", messages: [], pending: [], size: 1, lastActive: Date.now() };
  }

  function hasContent() {
    return state.messages.length > 0 || state.pending.length > 0 || state.size !== 1;
  }

  function load() {
    try {
      var raw = window.sessionStorage.getItem(STORE_KEY);
      var saved = raw ? JSON.parse(raw) : null;
      if (saved && (saved.sessionId === "" || /^web-[0-9a-f]{32}$/.test(saved.sessionId)) &&
          Array.isArray(saved.messages)) {
        saved.pending = Array.isArray(saved.pending) ? saved.pending : [];
        saved.size = saved.size >= 1 && saved.size <= SIZES ? saved.size : 1;
        return saved;
      }
    } catch (error) {
      // Storage blocked or damaged: start afresh.
    }
    return null;
  }

  function save() {
    try {
      if (hasContent()) {
        window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
      } else {
        window.sessionStorage.removeItem(STORE_KEY);
      }
    } catch (error) {
      // Private mode or full storage: the conversation still works, without surviving a reload.
    }
  }

  function clearCookies() {
    var names = document.cookie.split(";").map(function (item) {
      return item.split("=")[0].trim();
    }).filter(Boolean);
    var host = window.location.hostname;
    var domains = ["", host];
    var parts = host.split(".");
    for (var i = 1; i < parts.length - 1; i += 1) {
      domains.push("." + parts.slice(i).join("."));
    }
    var paths = ["/", window.location.pathname];
    names.forEach(function (name) {
      domains.forEach(function (domain) {
        paths.forEach(function (path) {
          document.cookie = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=" + path +
            (domain ? "; domain=" + domain : "");
        });
      });
    });
  }

  function clearStorage() {
    try {
      if (CLEAR_ALL) {
        window.localStorage.clear();
        window.sessionStorage.clear();
        clearCookies();
      } else {
        window.sessionStorage.removeItem(STORE_KEY);
        window.sessionStorage.removeItem(OPEN_KEY);
        window.localStorage.removeItem(STORE_KEY);
      }
    } catch (error) {
      // Nothing stored that we can reach.
    }
  }

  // ---------- building the widget ----------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function button(className, text, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function build(container, floating) {
    var root = el("section", "pw" + (floating ? " pw-floating" : ""));
    root.setAttribute("aria-labelledby", "pw-title");
    var bar = el("div", "pw-bar");
    var title = el("h2", "pw-title", TEXT.title);
    title.id = "pw-title";
    var tools = el("div", "pw-tools");
    ui.bigger = button("pw-tool", TEXT.bigger, function () { resize(1); });
    ui.smaller = button("pw-tool", TEXT.smaller, function () { resize(-1); });
    ui.clear = button("pw-tool pw-danger", TEXT.clear, function () { endAndClear("user"); });
    var sizeTools = el("div", "pw-size-tools");
    sizeTools.setAttribute("role", "group");
    sizeTools.setAttribute("aria-label", TEXT.sizeGroup);
    var sizeLabel = el("span", "pw-tools-label", TEXT.size);
    sizeLabel.setAttribute("aria-hidden", "true");
    sizeTools.append(sizeLabel, ui.bigger, ui.smaller);
    tools.append(sizeTools, ui.clear);
    if (floating) {
      tools.append(button("pw-tool", TEXT.close, function () { setOpen(false); }));
    }
    bar.append(title, tools);

    ui.status = el("p", "pw-status");
    ui.status.setAttribute("role", "status");

    ui.log = el("div", "pw-log");
    ui.log.setAttribute("role", "log");
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", TEXT.log);
    ui.log.tabIndex = 0;

    ui.typing = el("p", "pw-typing");
    ui.typing.append(el("span", "", TEXT.typing), el("span", "pw-dots"));
    ui.typing.hidden = true;

    ui.replies = el("div", "pw-replies");
    ui.replies.setAttribute("role", "group");
    ui.replies.setAttribute("aria-label", TEXT.repliesGroup);
    ui.replies.hidden = true;

    ui.idle = el("div", "pw-idle");
    ui.idle.setAttribute("role", "alert");
    ui.idle.hidden = true;
    ui.idleText = el("p");
    ui.idleKeep = button("pw-reply", TEXT.idleKeep, function () { activity(); });
    ui.idle.append(ui.idleText, ui.idleKeep, document.createTextNode(" "),
      button("pw-reply", TEXT.idleClear, function () { endAndClear("user"); }));

    var form = el("form", "pw-form");
    form.noValidate = true;
    var label = el("label", "", TEXT.label);
    label.htmlFor = "pw-input";
    var help = el("p", "pw-help", TEXT.help);
    help.id = "pw-help";
    ui.error = el("p", "pw-error");
    ui.error.id = "pw-error";
    ui.error.setAttribute("role", "alert");
    ui.input = el("textarea", "pw-input");
    ui.input.id = "pw-input";
    ui.input.name = "message";
    ui.input.rows = 2;
    ui.input.setAttribute("aria-describedby", "pw-help pw-error");
    ui.input.setAttribute("autocomplete", "off");
    ui.send = el("button", "pw-send", TEXT.send);
    ui.send.type = "submit";
    form.append(label, help, ui.input, ui.send, ui.error);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitTyped();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitTyped();
      }
    });
    ui.input.addEventListener("input", checkLength);

    root.append(bar, ui.status, ui.log, ui.typing, ui.replies, ui.idle, form);
    ["keydown", "pointerdown", "input", "focusin"].forEach(function (type) {
      root.addEventListener(type, activity);
    });
    container.append(root);
    ui.root = root;
  }

  // ---------- rendering ----------

  function setStatus(text) {
    ui.status.textContent = text || "";
  }

  function setError(text) {
    ui.error.textContent = text || "";
    if (text) {
      ui.input.setAttribute("aria-invalid", "true");
    } else {
      ui.input.removeAttribute("aria-invalid");
    }
  }

  function applySize() {
    ui.root.classList.remove("pw-size-2", "pw-size-3");
    if (state.size > 1) {
      ui.root.classList.add("pw-size-" + state.size);
    }
    ui.bigger.disabled = state.size >= SIZES;
    ui.smaller.disabled = state.size <= 1;
    scrollToEnd();
  }

  function resize(step) {
    state.size = Math.min(SIZES, Math.max(1, state.size + step));
    applySize();
    save();
    // Keep the keyboard focus on a usable button once one end is reached.
    if (document.activeElement && document.activeElement.disabled) {
      (step > 0 ? ui.smaller : ui.bigger).focus();
    }
  }

  function renderMessage(message, index) {
    var bot = message.who === "bot";
    var node = el("div", "pw-msg " + (bot ? "pw-msg-bot" : "pw-msg-user"));
    node.append(el("p", "pw-who", bot ? TEXT.bot : TEXT.user));
    var text = el("p", "pw-text", message.text);
    text.id = "pw-text-" + index;
    node.append(text);
    if (bot && message.text) {
      var listen = button("pw-listen", TEXT.listen, function () {
        toggleListen(listen, message.text, message.speechToken);
      });
      listen.setAttribute("aria-describedby", text.id);
      node.append(listen);
    }
    ui.log.append(node);
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function renderReplies() {
    ui.replies.textContent = "";
    var last = state.messages[state.messages.length - 1];
    var buttons = last && last.who === "bot" && !revealing && queue.length === 0 ? last.buttons : null;
    if (!buttons || buttons.length === 0) {
      ui.replies.hidden = true;
      return;
    }
    ui.replies.append(el("p", "pw-replies-label", TEXT.replies));
    buttons.forEach(function (choice) {
      ui.replies.append(button("pw-reply", choice.title, function () {
        sendMessage(choice.title, choice.payload);
        ui.input.focus();
      }));
    });
    ui.replies.hidden = false;
    scrollToEnd();
  }

  function renderAll() {
    ui.log.textContent = "";
    if (state.messages.length === 0) {
      ui.log.append(el("p", "pw-hint", TEXT.hint));
    }
    state.messages.forEach(renderMessage);
    renderReplies();
    applySize();
  }

  function removeHint() {
    var hint = ui.log.querySelector(".pw-hint");
    if (hint) {
      hint.remove();
    }
  }

  function showTyping(show) {
    ui.typing.hidden = !show;
    scrollToEnd();
  }

  // ---------- messages ----------

  function checkLength() {
    var length = ui.input.value.length;
    if (length > MAX_CHARS) {
      setError(TEXT.tooLong(length));
    } else if (ui.error.textContent) {
      setError("");
    }
  }

  function submitTyped() {
    var text = ui.input.value.trim();
    if (!text) {
      setError(TEXT.empty);
      ui.input.focus();
      return;
    }
    if (ui.input.value.length > MAX_CHARS) {
      setError(TEXT.tooLong(ui.input.value.length));
      ui.input.focus();
      return;
    }
    setError("");
    ui.input.value = "";
    sendMessage(text, text);
  }

  function sendMessage(shown, payload) {
    removeHint();
    var message = { who: "user", text: shown };
    state.messages.push(message);
    renderMessage(message, state.messages.length - 1);
    state.pending.push(payload);
    renderReplies();
    save();
    flush();
  }

  function flush() {
    if (state.pending.length === 0) {
      return;
    }
    if (!socket || !confirmed) {
      if (wasOffline) {
        setStatus(TEXT.queued);
      }
      return;
    }
    while (state.pending.length > 0) {
      socket.emit("user_uttered", { message: state.pending.shift(), session_id: state.sessionId });
    }
    save();
    waitForReply();
  }

  function waitForReply() {
    showTyping(true);
    window.clearTimeout(replyTimer);
    replyTimer = window.setTimeout(function () {
      showTyping(false);
      if (queue.length === 0) {
        setStatus(TEXT.slow);
      }
    }, REPLY_WAIT_MS);
  }

  function onBotMessage(payload) {
    if (!payload || typeof payload !== "object") {
      return;
    }
    var text = typeof payload.text === "string" ? payload.text : "";
    var raw = Array.isArray(payload.quick_replies) ? payload.quick_replies
      : (Array.isArray(payload.buttons) ? payload.buttons : []);
    var buttons = raw.filter(function (item) {
      return item && typeof item.title === "string" && typeof item.payload === "string";
    }).map(function (item) {
      return { title: item.title, payload: item.payload };
    });
    if (!text && buttons.length === 0) {
      return;
    }
    // The speech token lets "Écouter" read this text (the server signed it).
    var message = { who: "bot", text: text, buttons: buttons, speechToken: payload.speech_token };
    state.messages.push(message);
    save();
    queue.push(message);
    window.clearTimeout(replyTimer);
    if (ui.status.textContent === TEXT.slow) {
      setStatus("");
    }
    revealNext();
  }

  function revealNext() {
    if (revealing) {
      return;
    }
    var message = queue.shift();
    if (!message) {
      showTyping(false);
      renderReplies();
      return;
    }
    revealing = true;
    showTyping(true);
    window.setTimeout(function () {
      revealing = false;
      removeHint();
      renderMessage(message, state.messages.indexOf(message));
      revealNext();
    }, reducedMotion ? 0 : REVEAL_MS);
  }

  // ---------- connection ----------

  function connect() {
    if (typeof window.io !== "function") {
      setStatus(TEXT.noSocket);
      return;
    }
    confirmed = false;
    socket = window.io(RASA_URL, {
      path: "/socket.io",
      transports: ["websocket"],
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      timeout: 8000
    });
    var current = socket;
    socket.on("connect", function () {
      current.emit("session_request", {
        session_id: state.sessionId || null,
        signature: state.signature || null
      });
    });
    socket.on("session_confirm", function (confirm) {
      if (current !== socket) {
        return;
      }
      if (confirm && typeof confirm.session_id === "string") {
        state.sessionId = confirm.session_id;
        state.signature = confirm.signature;
        save();
      }
      confirmed = true;
      if (wasOffline) {
        wasOffline = false;
        setStatus(TEXT.back);
      } else if (ui.status.textContent === TEXT.connecting) {
        setStatus("");
      }
      flush();
    });
    socket.on("bot_uttered", function (payload) {
      if (current === socket) {
        onBotMessage(payload);
      }
    });
    socket.on("connect_error", function () { offline(current); });
    socket.on("disconnect", function (reason) {
      offline(current);
      if (reason === "io server disconnect") {
        current.connect();
      }
    });
  }

  function offline(which) {
    if (which !== socket) {
      return;
    }
    confirmed = false;
    wasOffline = true;
    showTyping(false);
    setStatus(state.pending.length > 0 ? TEXT.offline + " " + TEXT.queued : TEXT.offline);
  }

  function disconnect() {
    if (socket) {
      var old = socket;
      socket = null;
      old.disconnect();
    }
    confirmed = false;
  }

  // ---------- listening ----------

  function resetListen() {
    if (audio) {
      audio.pause();
      URL.revokeObjectURL(audio.src);
    }
    if (audioButton) {
      audioButton.textContent = TEXT.listen;
      audioButton.dataset.state = "ended";
    }
    audio = null;
    audioButton = null;
  }

  function toggleListen(target, text, speechToken) {
    var wasPlaying = audioButton === target;
    resetListen();
    if (wasPlaying) {
      return;
    }
    audioButton = target;
    target.textContent = TEXT.listenLoading;
    target.dataset.state = "loading";
    window.fetch(BASE + "/api/tts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text, speech_token: speechToken }),
      credentials: "omit"
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("tts " + response.status);
      }
      return response.blob();
    }).then(function (blob) {
      if (audioButton !== target) {
        return undefined;
      }
      audio = new Audio(URL.createObjectURL(blob));
      audio.addEventListener("ended", function () {
        if (audioButton === target) {
          resetListen();
        }
      });
      audio.addEventListener("playing", function () {
        target.dataset.state = "playing";
      });
      target.textContent = TEXT.listenStop;
      return audio.play();
    }).catch(function () {
      if (audioButton === target) {
        resetListen();
        target.dataset.state = "error";
        setStatus(TEXT.listenFailed);
      }
    });
  }

  // ---------- idle and clearing ----------

  function activity() {
    if (!state) {
      return;
    }
    state.lastActive = Date.now();
    if (!ui.idle.hidden) {
      ui.idle.hidden = true;
    }
    window.clearTimeout(idleTimer);
    window.clearTimeout(clearTimer);
    idleTimer = window.setTimeout(warnIdle, IDLE_MS);
    if (hasContent()) {
      save();
    }
  }

  function warnIdle() {
    if (!hasContent()) {
      activity();
      return;
    }
    ui.idleText.textContent = TEXT.idle(Math.round(WARN_MS / 1000));
    ui.idle.hidden = false;
    clearTimer = window.setTimeout(function () { endAndClear("idle"); }, WARN_MS);
  }

  function endAndClear(reason) {
    resetListen();
    disconnect();
    window.clearTimeout(replyTimer);
    window.clearTimeout(idleTimer);
    window.clearTimeout(clearTimer);
    queue = [];
    revealing = false;
    showTyping(false);
    clearStorage();
    state = freshState();
    wasOffline = false;
    ui.idle.hidden = true;
    ui.input.value = "";
    setError("");
    renderAll();
    setStatus(reason === "idle" ? TEXT.clearedIdle : TEXT.cleared);
    connect();
    if (reason === "user") {
      ui.input.focus();
    }
    idleTimer = window.setTimeout(warnIdle, IDLE_MS);
  }

  // ---------- start ----------

  function setOpen(open) {
    ui.root.hidden = !open;
    ui.launcher.hidden = open;
    try {
      if (open) {
        window.sessionStorage.setItem(OPEN_KEY, "1");
      } else {
        window.sessionStorage.removeItem(OPEN_KEY);
      }
    } catch (error) {
      // Not kept across reloads.
    }
    (open ? ui.input : ui.launcher).focus();
  }

  function ensureStyles() {
    if (document.querySelector("link[href$='/static/widget.css']")) {
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = BASE + "/static/widget.css";
    document.head.append(link);
  }

  function ensureSocketIo(then) {
    if (typeof window.io === "function") {
      then();
      return;
    }
    var tag = document.createElement("script");
    tag.src = BASE + "/static/vendor/socket.io.min.js";
    tag.addEventListener("load", then);
    tag.addEventListener("error", then);
    document.head.append(tag);
  }

  function start() {
    state = load() || freshState();
    if (Date.now() - (state.lastActive || 0) > IDLE_MS + WARN_MS) {
      // Left alone longer than allowed (for example a tab reopened later): clear first.
      clearStorage();
      state = freshState();
    }
    var target = data.target ? document.getElementById(data.target) : null;
    ensureStyles();
    if (target) {
      build(target, false);
    } else {
      build(document.body, true);
      ui.launcher = button("pw-launcher", TEXT.launcher, function () { setOpen(true); });
      document.body.append(ui.launcher);
      var open = false;
      try {
        open = window.sessionStorage.getItem(OPEN_KEY) === "1";
      } catch (error) {
        open = false;
      }
      ui.root.hidden = !open;
      ui.launcher.hidden = open;
    }
    renderAll();
    setStatus(TEXT.connecting);
    ensureSocketIo(connect);
    activity();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
