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
 * At start it reads /api/widget (web/pages.py): the greeting shown at once, where links may
 * go, the notices' addresses and how long the assistant keeps a masked copy.
 *
 * Every message is written with textContent: nothing the user or the bot says becomes HTML.
 * Links are built as elements, only to the assistant's own origin and the official sites.
 */
(function () {
  "use strict";

  var STORE_KEY = "passerelle:conversation";
  var OPEN_KEY = "passerelle:open";
  var CONFIG_PATH = "/api/widget";
  var MAX_CHARS = 2000;
  var DEFAULT_IDLE_MINUTES = 10;
  var DEFAULT_RASA_PORT = "5005";
  var WARNING_MS = 60 * 1000;
  var REVEAL_MS = 700;
  var REPLY_WAIT_MS = 20 * 1000;
  var CONFIG_WAIT_MS = 5 * 1000;
  var SIZES = 3;
  var ANNOUNCEMENTS_KEPT = 4;
  var INPUT_MAX_LINES = 4;
  var MIN_TARGET_PX = 240;
  var LINK_TYPE = "link";
  // A web address, or a bare site name ("francetravail.fr") that may be an official site.
  var ADDRESS = /(https?:\/\/[^\s<>"«»]+)|\b((?:[a-z0-9-]+\.)+(?:fr|gouv\.fr))\b(\/[^\s<>"«»]*)?/gi;
  var TRAILING = /[.,;:!?)\]]+$/;
  // The conversation's short code (passerelle/shortcode.py), sent at each session start.
  var CODE = /^[2-9A-Z]{3}-[2-9A-Z]{3}$/;

  var TEXT = {
    title: "Passerelle",
    launcher: "Besoin d'aide ? Discuter avec Passerelle",
    close: "Fermer",
    options: "Options",
    toolsGroup: "Options de la discussion",
    size: "Texte :",
    sizeGroup: "Taille du texte",
    bigger: "Plus grand",
    smaller: "Plus petit",
    clear: "Terminer et effacer",
    privacy: "Vie privée",
    accessibility: "Accessibilité",
    newTab: " (nouvel onglet)",
    log: "Conversation",
    hint: "Écrivez votre question en bas de la fenêtre. Par exemple : « J'ai oublié mon mot de passe ».",
    bot: "Passerelle :",
    user: "Vous :",
    listen: "Écouter",
    code: "Code à donner à l'accueil : ",
    listenLoading: "Chargement…",
    listenStop: "Arrêter",
    listenFailed: "La lecture à voix haute ne marche pas pour le moment.",
    repliesGroup: "Réponses proposées",
    replies: function (count) {
      return count === 1 ? "1 réponse possible" : count + " réponses possibles";
    },
    linkSaid: function (title) {
      return "Lien : " + title + ".";
    },
    openLink: "Ouvrir le lien",
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
      return "Vous êtes toujours là ? Sans action de votre part, la conversation sera effacée " +
        "de cet appareil dans " + (seconds >= 60 ? "une minute." : seconds + " secondes.");
    },
    idleCountdown: function (seconds) {
      return "Effacement dans " + seconds + (seconds > 1 ? " secondes." : " seconde.");
    },
    idleKeep: "Continuer la conversation",
    idleClear: "Effacer maintenant",
    confirmTitle: "Effacer la conversation ?",
    confirmDevice: "Elle sera effacée de cet appareil.",
    kept: function (days) {
      return days > 0
        ? "L'assistant en garde une copie masquée, sans vos mots de passe ni vos identifiants, " +
          "pendant " + days + " jours, pour les conseillers."
        : "L'assistant en garde une copie masquée, sans vos mots de passe ni vos identifiants, " +
          "pour les conseillers.";
    },
    confirmMore: "En savoir plus sur la vie privée",
    confirmYes: "Oui, effacer",
    confirmNo: "Non, continuer",
    cleared: "La conversation est effacée de cet appareil.",
    clearedIdle: "La conversation a été effacée de cet appareil car personne ne l'utilisait.",
    noSocket: "L'assistant ne peut pas démarrer. Rechargez la page."
  };

  // The widget's own words follow the same French typography as the bot's.
  Object.keys(TEXT).forEach(function (key) {
    if (typeof TEXT[key] === "string") {
      TEXT[key] = typeset(TEXT[key]);
    }
  });

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
  // A touch screen as the main pointer: no keyboard hint, no keyboard popping up unasked.
  var touchFirst = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  var config = {
    greeting: null,
    origins: [BASE],
    sites: [],
    pages: { privacy: BASE + "/confidentialite", accessibility: BASE + "/accessibilite" },
    retentionDays: 0
  };
  var state = null;
  var socket = null;
  var confirmed = false;
  var wasOffline = false;
  var queue = [];
  var revealing = false;
  var replyTimer = null;
  var idleTimer = null;
  var clearTimer = null;
  var countdownTimer = null;
  var audio = null;
  var audioButton = null;
  var turnStart = null;
  var floating = false;
  var ui = {};

  // ---------- storage ----------

  // The server issues the session id and its signature (session_confirm); the widget keeps
  // both, and shows the signature again to get the same conversation back after a reload.
  function freshState() {
    return {
      sessionId: "", signature: "", code: "", messages: [], pending: [], size: 1,
      lastActive: Date.now()
    };
  }

  // The greeting alone is not a conversation: nothing is kept, no idle warning.
  function hasContent() {
    var spoken = state.messages.some(function (message) { return !message.local; });
    return spoken || state.pending.length > 0 || state.size !== 1;
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

  // ---------- links ----------

  // The URL an address or a site name stands for, if a person may be sent there; else null.
  function allowedUrl(address) {
    var url;
    try {
      url = new URL(/^https?:\/\//i.test(address) ? address : "https://www." + address);
    } catch (error) {
      return null;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return null;
    }
    if (config.origins.indexOf(url.origin) >= 0) {
      return url;
    }
    var host = url.hostname.toLowerCase();
    var official = config.sites.some(function (site) {
      return host === site || host.slice(-(site.length + 1)) === "." + site;
    });
    return official && url.protocol === "https:" && !url.username && !url.password ? url : null;
  }

  function linkTo(url, label, className) {
    var link = el("a", className || "pw-link", label);
    link.href = url.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.append(el("span", "pw-visually-hidden", TEXT.newTab));
    return link;
  }

  // The text with its allowed addresses as links; everything else stays plain text.
  function withLinks(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    ADDRESS.lastIndex = 0;
    var match = ADDRESS.exec(text);
    while (match) {
      var found = match[0];
      var trailing = match[1] ? (found.match(TRAILING) || [""])[0] : "";
      var address = found.slice(0, found.length - trailing.length);
      var url = allowedUrl(address);
      if (url) {
        fragment.append(document.createTextNode(text.slice(last, match.index)));
        fragment.append(linkTo(url, match[1] ? TEXT.openLink : address));
        last = match.index + address.length;
      }
      match = ADDRESS.exec(text);
    }
    fragment.append(document.createTextNode(text.slice(last)));
    return fragment;
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

  // After a tap, the keyboard must not pop up: focus goes to the conversation instead.
  function focusAfter(event) {
    var touch = event && (event.pointerType === "touch" || event.pointerType === "pen");
    if (touch || (touchFirst && event && event.detail > 0)) {
      ui.log.focus({ preventScroll: true });
    } else {
      ui.input.focus();
    }
  }

  function buildTools() {
    ui.tools = el("div", "pw-tools");
    ui.tools.id = "pw-tools";
    ui.tools.setAttribute("role", "group");
    ui.tools.setAttribute("aria-label", TEXT.toolsGroup);
    ui.bigger = button("pw-tool", TEXT.bigger, function () { resize(1); });
    ui.smaller = button("pw-tool", TEXT.smaller, function () { resize(-1); });
    ui.clear = button("pw-tool pw-danger", TEXT.clear, function () { askClear(); });
    var sizeTools = el("div", "pw-size-tools");
    sizeTools.setAttribute("role", "group");
    sizeTools.setAttribute("aria-label", TEXT.sizeGroup);
    var sizeLabel = el("span", "pw-tools-label", TEXT.size);
    sizeLabel.setAttribute("aria-hidden", "true");
    sizeTools.append(sizeLabel, ui.bigger, ui.smaller);
    ui.tools.append(sizeTools, ui.clear, pageLinks("pw-tool pw-tool-link"));
    // A wide widget shows the notices under the message box instead (one of the two shows).
    ui.footer = el("p", "pw-footer");
    ui.footer.append(pageLinks("pw-footer-link"));
  }

  // "Vie privée" and "Accessibilité": the notices, opened in a new tab.
  function pageLinks(className) {
    var links = el("span", "pw-page-links");
    [["privacy", TEXT.privacy], ["accessibility", TEXT.accessibility]].forEach(function (page) {
      var link = el("a", className + " pw-page-" + page[0], page[1]);
      link.target = "_blank";
      link.rel = "noopener";
      link.append(el("span", "pw-visually-hidden", TEXT.newTab));
      links.append(link);
    });
    return links;
  }

  function setPageLinks() {
    ui.root.querySelectorAll(".pw-page-privacy").forEach(function (link) {
      link.href = config.pages.privacy;
    });
    ui.root.querySelectorAll(".pw-page-accessibility").forEach(function (link) {
      link.href = config.pages.accessibility;
    });
    ui.confirmMore.href = config.pages.privacy;
  }

  function toggleTools(open) {
    var show = open === undefined ? !ui.root.classList.contains("pw-tools-open") : open;
    ui.root.classList.toggle("pw-tools-open", show);
    ui.menu.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function buildDialog() {
    ui.dialog = el("dialog", "pw-dialog");
    ui.dialog.setAttribute("aria-labelledby", "pw-dialog-title");
    var title = el("h3", "pw-dialog-title", TEXT.confirmTitle);
    title.id = "pw-dialog-title";
    ui.confirmKept = el("p", "", TEXT.kept(config.retentionDays));
    ui.confirmMore = el("a", "pw-link", TEXT.confirmMore);
    ui.confirmMore.target = "_blank";
    ui.confirmMore.rel = "noopener";
    ui.confirmMore.append(el("span", "pw-visually-hidden", TEXT.newTab));
    var actions = el("div", "pw-dialog-actions");
    ui.confirmYes = button("pw-reply pw-danger", TEXT.confirmYes, function (event) {
      ui.dialogOpener = null;  // the focus goes where erasing puts it, not back to the button
      ui.dialog.close();
      endAndClear("user", event);
    });
    ui.confirmNo = button("pw-reply", TEXT.confirmNo, function () { ui.dialog.close(); });
    actions.append(ui.confirmYes, ui.confirmNo);
    var more = el("p");
    more.append(ui.confirmMore);
    ui.dialog.append(title, el("p", "", TEXT.confirmDevice), ui.confirmKept, more, actions);
    ui.dialog.addEventListener("close", function () {
      if (ui.dialogOpener && document.contains(ui.dialogOpener) && !ui.dialogOpener.hidden) {
        ui.dialogOpener.focus({ preventScroll: true });
      }
      ui.dialogOpener = null;
    });
  }

  function askClear() {
    ui.dialogOpener = document.activeElement;
    ui.confirmKept.textContent = typeset(TEXT.kept(config.retentionDays));
    if (typeof ui.dialog.showModal === "function") {
      ui.dialog.showModal();
      ui.confirmNo.focus();
    } else if (window.confirm(TEXT.confirmTitle + " " + TEXT.confirmDevice)) {
      endAndClear("user");
    }
  }

  function build(container) {
    var root = el("section", "pw" + (floating ? " pw-floating" : ""));
    root.id = "pw-panel";
    root.setAttribute("aria-labelledby", "pw-title");
    var bar = el("div", "pw-bar");
    var title = el("h2", "pw-title", TEXT.title);
    title.id = "pw-title";
    buildTools();
    ui.menu = button("pw-tool pw-menu", TEXT.options, function () { toggleTools(); });
    ui.menu.setAttribute("aria-controls", "pw-tools");
    ui.menu.setAttribute("aria-expanded", "false");
    // On a narrow widget the tools fold under "Options"; the folded tools follow their
    // button in the keyboard order.
    bar.append(title, ui.menu, ui.tools);
    if (floating) {
      ui.close = button("pw-tool pw-close", TEXT.close, function () { setOpen(false); });
      bar.append(ui.close);
    }

    // The code to give at the desk, once the assistant has sent it.
    ui.code = el("p", "pw-code");
    ui.code.hidden = true;

    ui.status = el("p", "pw-status");
    ui.status.setAttribute("role", "status");

    // The log is not a live region: `ui.announcer` says each bot message once, without
    // the words of its "Écouter" button.
    ui.log = el("div", "pw-log");
    ui.log.setAttribute("role", "region");
    ui.log.setAttribute("aria-label", TEXT.log);
    ui.log.tabIndex = 0;

    ui.announcer = el("div", "pw-visually-hidden");
    ui.announcer.setAttribute("aria-live", "polite");

    ui.typing = el("p", "pw-typing");
    ui.typing.append(el("span", "", TEXT.typing), el("span", "pw-dots"));
    ui.typing.hidden = true;

    ui.replies = el("div", "pw-replies");
    ui.replies.setAttribute("role", "group");
    ui.replies.setAttribute("aria-label", TEXT.repliesGroup);
    ui.replies.hidden = true;

    ui.idle = el("div", "pw-idle");
    ui.idle.hidden = true;
    ui.idleText = el("p", "pw-idle-text");
    ui.idleText.setAttribute("role", "alert");
    ui.idleCount = el("p", "pw-countdown");
    ui.idleCount.setAttribute("aria-hidden", "true");
    ui.idleKeep = button("pw-reply", TEXT.idleKeep, function (event) {
      activity();
      focusAfter(event);
    });
    ui.idle.append(ui.idleText, ui.idleCount, ui.idleKeep, document.createTextNode(" "),
      button("pw-reply", TEXT.idleClear, function (event) { endAndClear("user", event); }));

    var form = el("form", "pw-form");
    form.noValidate = true;
    var label = el("label", "", TEXT.label);
    label.htmlFor = "pw-input";
    ui.error = el("p", "pw-error");
    ui.error.id = "pw-error";
    ui.error.setAttribute("role", "alert");
    ui.input = el("textarea", "pw-input");
    ui.input.id = "pw-input";
    ui.input.name = "message";
    ui.input.rows = 1;
    ui.input.setAttribute("autocomplete", "off");
    ui.input.setAttribute("enterkeyhint", "send");
    ui.send = el("button", "pw-send", TEXT.send);
    ui.send.type = "submit";
    form.append(label);
    var describedBy = "pw-error";
    if (!touchFirst) {
      var help = el("p", "pw-help", TEXT.help);
      help.id = "pw-help";
      form.append(help);
      describedBy = "pw-help pw-error";
    }
    ui.input.setAttribute("aria-describedby", describedBy);
    form.append(ui.input, ui.send, ui.error);

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
    ui.input.addEventListener("input", function () {
      checkLength();
      fitInput();
    });

    buildDialog();
    root.append(bar, ui.code, ui.status, ui.log, ui.announcer, ui.typing, ui.replies, ui.idle, form,
      ui.footer, ui.dialog);
    ["keydown", "pointerdown", "input", "focusin"].forEach(function (type) {
      root.addEventListener(type, activity);
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !event.defaultPrevented && !ui.dialog.open) {
        if (ui.root.classList.contains("pw-tools-open")) {
          toggleTools(false);
          ui.menu.focus();
        } else if (floating) {
          setOpen(false);
        }
      }
    });
    container.append(root);
    ui.root = root;
    setPageLinks();
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () { keepTurnInView(); }).observe(ui.log);
      new window.ResizeObserver(function () { fitStatus(); }).observe(ui.status);
    }
  }

  // ---------- rendering ----------

  function setStatus(text) {
    ui.status.textContent = typeset(text);
    fitStatus();
  }

  // On a very small screen a long notice scrolls: it can then be reached with the keyboard.
  function fitStatus() {
    if (ui.status.scrollHeight > ui.status.clientHeight + 1) {
      ui.status.tabIndex = 0;
    } else {
      ui.status.removeAttribute("tabindex");
    }
  }

  function setError(text) {
    ui.error.textContent = typeset(text);
    if (text) {
      ui.input.setAttribute("aria-invalid", "true");
    } else {
      ui.input.removeAttribute("aria-invalid");
    }
  }

  // The text box grows with what is typed, up to a few lines, then scrolls.
  function fitInput() {
    ui.input.style.height = "auto";
    var lineHeight = parseFloat(window.getComputedStyle(ui.input).lineHeight) || 30;
    var most = lineHeight * INPUT_MAX_LINES;
    ui.input.style.height = Math.min(ui.input.scrollHeight + 4, most) + "px";
  }

  function applySize() {
    ui.root.classList.remove("pw-size-2", "pw-size-3");
    if (state.size > 1) {
      ui.root.classList.add("pw-size-" + state.size);
    }
    ui.bigger.disabled = state.size >= SIZES;
    ui.smaller.disabled = state.size <= 1;
    fitInput();
    keepTurnInView();
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

  // French typography: no line break between a word and its « », ?, !, : or ;, inside a
  // number ("1 200") or before its unit ("35 h", "1 200 €").
  function typeset(text) {
    return String(text || "")
      .replace(/« /g, "«\u00a0")
      .replace(/ ([»?!:;€%])/g, "\u00a0$1")
      .replace(/(\d) (?=\d{3}\b)/g, "$1\u00a0")
      .replace(/(\d) (?=h\b)/g, "$1\u00a0");
  }

  // "Passerelle :" and "Vous :" are read out, not shown: the bubbles' side and colour say
  // who speaks, and the room goes to the words. "Écouter" floats beside the first line.
  function renderMessage(message, index) {
    var bot = message.who === "bot";
    var node = el("div", "pw-msg " + (bot ? "pw-msg-bot" : "pw-msg-user"));
    node.classList.toggle("pw-follow-up", !!message.followUp);
    node.dataset.index = String(index);
    node.append(el("p", "pw-who pw-visually-hidden", bot ? TEXT.bot : TEXT.user));
    if (message.text) {
      var text = el("p", "pw-text");
      text.id = "pw-text-" + index;
      if (bot) {
        text.append(withLinks(typeset(message.text)));
      } else {
        text.textContent = message.text;
      }
      node.append(text);
      if (bot) {
        var listen = button("pw-listen", TEXT.listen, function () { toggleListen(listen, message); });
        listen.setAttribute("aria-describedby", text.id);
        node.insertBefore(listen, text);
      }
    }
    if (bot && message.link) {
      node.append(linkElement(message.link));
    }
    ui.log.append(node);
    return node;
  }

  // A link attachment: a button-like link if it may be followed, else its title as text.
  function linkElement(link) {
    var url = allowedUrl(link.url);
    return url ? linkTo(url, link.title, "pw-link-button") : el("p", "pw-text", link.title);
  }

  // What a screen reader hears for a new bot message, once.
  function announce(message) {
    var said = TEXT.bot + " " + (message.text || "");
    if (message.link) {
      said += " " + TEXT.linkSaid(message.link.title);
    }
    if (message.buttons && message.buttons.length) {
      said += " " + TEXT.replies(message.buttons.length) + ".";
    }
    ui.announcer.append(el("p", "", said.trim()));
    while (ui.announcer.children.length > ANNOUNCEMENTS_KEPT) {
      ui.announcer.firstChild.remove();
    }
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // Shows the assistant's latest turn from its start, so a question and what came before it
  // in the same turn are read together. A turn too long to fit that ends with a question
  // shows as much as fits above the question instead: the question is never hidden.
  // ("Autre question ?", added after an answer, does not count as the turn's question.)
  function keepTurnInView() {
    if (!ui.log) {
      return;
    }
    if (!turnStart || !ui.log.contains(turnStart)) {
      scrollToEnd();
      return;
    }
    var logBox = ui.log.getBoundingClientRect();
    var padding = parseFloat(window.getComputedStyle(ui.log).paddingTop) || 0;
    var start = turnStart.getBoundingClientRect().top - logBox.top + ui.log.scrollTop - padding;
    var last = lastOfTurn();
    var end = last.getBoundingClientRect().bottom - logBox.top + ui.log.scrollTop + padding;
    if (end - start > ui.log.clientHeight && asks(last)) {
      start = end - ui.log.clientHeight;
    }
    ui.log.scrollTop = Math.max(0, start);
  }

  // The turn's last message, leaving out the "Autre question ?" follow-up.
  function lastOfTurn() {
    var node = ui.log.lastElementChild;
    while (node && node !== turnStart && node.classList.contains("pw-follow-up")) {
      node = node.previousElementSibling;
    }
    return node || turnStart;
  }

  function asks(node) {
    var message = state.messages[Number(node.dataset.index)];
    return !!message && message.who === "bot" &&
      ((message.buttons && message.buttons.length > 0) || message.text.indexOf("?") >= 0);
  }

  function renderReplies() {
    ui.replies.textContent = "";
    var last = state.messages[state.messages.length - 1];
    var buttons = last && last.who === "bot" && !revealing && queue.length === 0 ? last.buttons : null;
    if (!buttons || buttons.length === 0) {
      ui.replies.hidden = true;
      keepTurnInView();
      return;
    }
    ui.replies.setAttribute("aria-label", TEXT.replies(buttons.length));
    buttons.forEach(function (choice) {
      ui.replies.append(button("pw-reply", choice.title, function (event) {
        sendMessage(choice.title, choice.payload);
        focusAfter(event);
      }));
    });
    ui.replies.hidden = false;
    keepTurnInView();
  }

  function greet() {
    if (state.messages.length === 0 && config.greeting) {
      state.messages.push({
        who: "bot",
        text: config.greeting.text,
        buttons: config.greeting.buttons,
        speechToken: config.greeting.speechToken,
        local: true
      });
    }
  }

  function renderAll() {
    showCode();
    ui.log.textContent = "";
    greet();
    if (state.messages.length === 0) {
      ui.log.append(el("p", "pw-hint", TEXT.hint));
    }
    turnStart = null;
    var lastUser = -1;
    state.messages.forEach(function (message, index) {
      if (message.who === "user") {
        lastUser = index;
      }
    });
    state.messages.forEach(function (message, index) {
      var node = renderMessage(message, index);
      if (index === lastUser + 1) {
        turnStart = node;
      }
    });
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
    keepTurnInView();
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
    fitInput();
    sendMessage(text, text);
  }

  function sendMessage(shown, payload) {
    removeHint();
    var message = { who: "user", text: shown };
    state.messages.push(message);
    renderMessage(message, state.messages.length - 1);
    turnStart = null;
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

  // A link attachment ({"type": "link", "payload": {"title", "url"}}), or null.
  function linkOf(payload) {
    var attachment = payload.attachment;
    var link = attachment && attachment.type === LINK_TYPE ? attachment.payload : null;
    if (link && typeof link.title === "string" && typeof link.url === "string") {
      return { title: link.title, url: link.url };
    }
    return null;
  }

  function showCode() {
    ui.code.textContent = "";
    ui.code.hidden = !state.code;
    if (state.code) {
      ui.code.append(document.createTextNode(TEXT.code), el("strong", "", state.code));
    }
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
    var link = linkOf(payload);
    if (!text && buttons.length === 0 && !link) {
      return;
    }
    if (!text && buttons.length === 0 && attachLink(link)) {
      return;
    }
    var message = { who: "bot", text: text, buttons: buttons };
    if (link) {
      message.link = link;
    }
    if (payload.follow_up === true) {
      message.followUp = true;  // "Autre question ?" after an answer (rasa_server/widget.py)
    }
    if (typeof payload.speech_token === "string") {
      message.speechToken = payload.speech_token;  // lets "Écouter" read this exact text
    }
    state.messages.push(message);
    save();
    queue.push(message);
    window.clearTimeout(replyTimer);
    if (ui.status.textContent === TEXT.slow) {
      setStatus("");
    }
    revealNext();
  }

  // Rasa sends a response's text, then its link: the link joins that text's bubble.
  function attachLink(link) {
    var index = state.messages.length - 1;
    var last = state.messages[index];
    if (!last || last.who !== "bot" || last.link || (last.buttons && last.buttons.length)) {
      return false;
    }
    last.link = link;
    save();
    var node = ui.log.querySelector(".pw-msg[data-index='" + index + "']");
    if (node) {  // already shown (else it will be, with its link)
      node.append(linkElement(link));
      ui.announcer.append(el("p", "", TEXT.linkSaid(link.title)));
      keepTurnInView();
    }
    return true;
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
      var node = renderMessage(message, state.messages.indexOf(message));
      if (!turnStart) {
        turnStart = node;
      }
      announce(message);
      keepTurnInView();
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
    // The conversation's short code, sent at each session start (rasa_server/widget.py).
    socket.on("conversation_code", function (payload) {
      if (current === socket && payload && typeof payload.code === "string" &&
          CODE.test(payload.code)) {
        state.code = payload.code;
        save();
        showCode();
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

  // Reads the message's own text (never an address: links travel apart, as attachments).
  function toggleListen(target, message) {
    var wasPlaying = audioButton === target;
    resetListen();
    if (wasPlaying) {
      return;
    }
    audioButton = target;
    target.textContent = TEXT.listenLoading;
    target.dataset.state = "loading";
    var body = { text: message.text };
    if (message.speechToken) {
      body.speech_token = message.speechToken;
    }
    window.fetch(BASE + "/api/tts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
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

  function stopCountdown() {
    window.clearInterval(countdownTimer);
    countdownTimer = null;
  }

  function activity() {
    if (!state) {
      return;
    }
    state.lastActive = Date.now();
    if (!ui.idle.hidden) {
      ui.idle.hidden = true;
      stopCountdown();
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
    var ends = Date.now() + WARN_MS;
    var seconds = Math.round(WARN_MS / 1000);
    ui.idleText.textContent = typeset(TEXT.idle(seconds));
    ui.idleCount.textContent = TEXT.idleCountdown(seconds);
    ui.idle.hidden = false;
    stopCountdown();
    countdownTimer = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      ui.idleCount.textContent = TEXT.idleCountdown(left);
    }, 1000);
    clearTimer = window.setTimeout(function () { endAndClear("idle"); }, WARN_MS);
  }

  function endAndClear(reason, event) {
    resetListen();
    disconnect();
    window.clearTimeout(replyTimer);
    window.clearTimeout(idleTimer);
    window.clearTimeout(clearTimer);
    stopCountdown();
    queue = [];
    revealing = false;
    showTyping(false);
    clearStorage();
    state = freshState();
    wasOffline = false;
    ui.idle.hidden = true;
    ui.input.value = "";
    ui.announcer.textContent = "";
    setError("");
    toggleTools(false);
    renderAll();
    var cleared = reason === "idle" ? TEXT.clearedIdle : TEXT.cleared;
    setStatus(cleared + " " + TEXT.kept(config.retentionDays));
    connect();
    if (reason === "user") {
      focusAfter(event);
    }
    idleTimer = window.setTimeout(warnIdle, IDLE_MS);
  }

  // ---------- start ----------

  function setOpen(open) {
    ui.root.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    ui.launcher.classList.toggle("pw-launcher-open", open);
    try {
      if (open) {
        window.sessionStorage.setItem(OPEN_KEY, "1");
      } else {
        window.sessionStorage.removeItem(OPEN_KEY);
      }
    } catch (error) {
      // Not kept across reloads.
    }
    if (open) {
      keepTurnInView();
      if (touchFirst) {
        ui.log.focus({ preventScroll: true });
      } else {
        ui.input.focus();
      }
    } else {
      ui.launcher.focus();
    }
  }

  // The widget fills its element's height. An element that only grows with its content
  // (the usual <div> of another site) gets a widget one screen tall instead, so the
  // conversation still has room and scrolls inside.
  function fitTarget(target) {
    ui.root.style.display = "none";
    var empty = target.getBoundingClientRect().height;
    ui.root.style.display = "";
    ui.root.classList.toggle("pw-auto-height", empty < MIN_TARGET_PX);
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

  // Reads /api/widget; `then` runs once, with or without it (after CONFIG_WAIT_MS at most).
  function loadConfig(then) {
    var done = false;
    function finish() {
      if (!done) {
        done = true;
        then();
      }
    }
    window.setTimeout(finish, CONFIG_WAIT_MS);
    if (typeof window.fetch !== "function") {
      finish();
      return;
    }
    window.fetch(BASE + CONFIG_PATH, { credentials: "omit" }).then(function (response) {
      if (!response.ok) {
        throw new Error("config " + response.status);
      }
      return response.json();
    }).then(function (loaded) {
      var greeting = loaded && loaded.greeting;
      if (greeting && typeof greeting.text === "string" && Array.isArray(greeting.buttons)) {
        config.greeting = {
          text: greeting.text,
          buttons: greeting.buttons.filter(function (item) {
            return item && typeof item.title === "string" && typeof item.payload === "string";
          }),
          speechToken: typeof greeting.speech_token === "string" ? greeting.speech_token : undefined
        };
      }
      var links = (loaded && loaded.links) || {};
      if (Array.isArray(links.origins)) {
        config.origins = [BASE].concat(links.origins.filter(function (item) {
          return typeof item === "string";
        }));
      }
      if (Array.isArray(links.sites)) {
        config.sites = links.sites.filter(function (item) { return typeof item === "string"; });
      }
      var pages = (loaded && loaded.pages) || {};
      ["privacy", "accessibility"].forEach(function (name) {
        if (typeof pages[name] === "string" && allowedUrl(pages[name])) {
          config.pages[name] = pages[name];
        }
      });
      if (loaded && loaded.retention_days > 0) {
        config.retentionDays = loaded.retention_days;
      }
    }).catch(function () {
      // No greeting and no official links: the widget still works.
    }).then(finish);
  }

  function start() {
    state = load() || freshState();
    if (Date.now() - (state.lastActive || 0) > IDLE_MS + WARN_MS) {
      // Left alone longer than allowed (for example a tab reopened later): clear first.
      clearStorage();
      state = freshState();
    }
    var target = data.target ? document.getElementById(data.target) : null;
    floating = !target;
    ensureStyles();
    build(target || document.body);
    if (target) {
      fitTarget(target);
    }
    if (floating) {
      ui.launcher = button("pw-launcher", TEXT.launcher, function () {
        setOpen(ui.root.hidden);
      });
      ui.launcher.setAttribute("aria-controls", ui.root.id);
      document.body.append(ui.launcher);
      var open = false;
      try {
        open = window.sessionStorage.getItem(OPEN_KEY) === "1";
      } catch (error) {
        open = false;
      }
      ui.root.hidden = !open;
      ui.launcher.setAttribute("aria-expanded", open ? "true" : "false");
      ui.launcher.classList.toggle("pw-launcher-open", open);
    }
    ui.log.setAttribute("aria-busy", "true");
    setStatus(TEXT.connecting);
    // The greeting and the links need the configuration; the connection waits for it too,
    // so no answer is drawn before the conversation is.
    loadConfig(function () {
      setPageLinks();
      renderAll();
      ui.log.removeAttribute("aria-busy");
      ensureSocketIo(connect);
    });
    activity();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
