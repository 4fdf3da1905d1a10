// CommunityOps page behaviour: theme toggle, keyboard shortcuts and their help, announcements for
// screen readers (no inline scripts: CSP).
(function () {
  "use strict";
  const root = document.documentElement;
  const storedTheme = localStorage.getItem("theme");
  if (storedTheme) root.dataset.theme = storedTheme;

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-theme-toggle]")) return;
    const dark = root.dataset.theme === "dark" ||
      (root.dataset.theme === "auto" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    root.dataset.theme = dark ? "light" : "dark";
    localStorage.setItem("theme", root.dataset.theme);
  });

  // The shortcuts' help, on pages that have one: "?" or its button opens it and takes the keyboard
  // focus into it; "?", Esc or the button closes it and gives the focus back to where it was.
  let focusBeforeHelp = null;
  function setHelpOpen(help, open) {
    const focusInHelp = help.contains(document.activeElement);  // hiding it would move the focus to <body>
    help.hidden = !open;
    document.querySelectorAll("[data-help-toggle]").forEach((toggle) => toggle.setAttribute("aria-expanded", String(open)));
    if (open) {
      focusBeforeHelp = document.activeElement;
      help.focus();
    } else if (focusInHelp && focusBeforeHelp && focusBeforeHelp.isConnected) {
      focusBeforeHelp.focus();
    }
  }
  document.addEventListener("click", (event) => {
    const help = document.getElementById("shortcut-help");
    if (help && event.target.closest("[data-help-toggle]")) setHelpOpen(help, help.hidden);
  });

  // Keys typed into a field that the page then took away must not go on as shortcuts: a live reload
  // of the workspace can replace the reply box mid-word, the focus falls back to the page, and the
  // "h" of the next word would hide the comment, a "u" release the item. So a key within a moment of
  // typing in a field is no shortcut, unless the field was left on purpose (Escape, Tab).
  const FIELDS = "input, textarea, select, [contenteditable]";
  const TYPING_PAUSE_MS = 1500;
  let typedInFieldAt = -Infinity;
  document.addEventListener("keydown", (event) => {
    const typing = event.key.length === 1 || event.key === "Backspace" || event.key === "Delete";
    if (event.target.matches(FIELDS)) {
      if (typing) typedInFieldAt = event.timeStamp;
      if (event.key === "Escape" || event.key === "Tab") typedInFieldAt = -Infinity;
    } else if (typing && event.key !== " " && event.timeStamp - typedInFieldAt < TYPING_PAUSE_MS) {
      event.stopImmediatePropagation();  // before every page's shortcut listener (this one captures)
    }
  }, true);

  // Elements declare their own shortcut: <button data-shortcut="n">. Typing in a field never triggers one.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const help = document.getElementById("shortcut-help");
    if (event.key === "Escape" && help && !help.hidden) { setHelpOpen(help, false); return; }
    const target = event.target;
    if (target.matches(FIELDS)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    const key = event.key;
    if (key === "?") {
      if (help) { setHelpOpen(help, help.hidden); event.preventDefault(); }
      return;
    }
    const element = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
    if (!element || element.disabled) return;
    event.preventDefault();
    if (element.matches("textarea, input")) element.focus(); else element.click();
  });

  // Screen readers hear changes through one live region that stays (#live-announcer): a live region
  // that htmx replaces whole is a new element every time, which they read out on each poll or never.
  // Other scripts announce with a "communityops:announce" event; the same text twice is read twice.
  function announce(text) {
    const region = document.getElementById("live-announcer");
    if (!region || !text) return;
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 100);
  }
  document.addEventListener("communityops:announce", (event) => announce(event.detail));

  // A form sent by htmx (a reply, a claim, a moderation) that got no answer, because the server was
  // restarting or the network dropped, or that failed on the server: htmx swaps nothing and says
  // nothing, so a reply looked sent while it was not. Say so (the page keeps what was typed) until
  // the next form is sent. The live polls and heartbeats stay quiet: their next round tries again.
  function sentByForm(event) { return event.detail.elt && event.detail.elt.tagName === "FORM"; }
  function requestFailedNotice(shown) {
    const notice = document.getElementById("request-failed");
    if (!notice || notice.hidden === !shown) return;
    notice.hidden = !shown;
    if (shown) announce(notice.textContent.trim());
  }
  document.addEventListener("htmx:sendError", (event) => { if (sentByForm(event)) requestFailedNotice(true); });
  document.addEventListener("htmx:responseError", (event) => {
    if (sentByForm(event) && event.detail.xhr.status >= 500) requestFailedNotice(true);
  });
  // Not on its success: a form the answer replaces (the reply's) is gone by then, with its events.
  document.addEventListener("htmx:beforeRequest", (event) => { if (sentByForm(event)) requestFailedNotice(false); });

  // An element with data-announce="key" is read out when a swap brings it with other words under the
  // same key than before ("You hold this item" becoming "Claimed by Ben"); a new key is only noted.
  const announced = new Map();
  function noteAnnounced(container, speak) {
    const elements = Array.from(container.querySelectorAll("[data-announce]"));
    if (container.matches("[data-announce]")) elements.unshift(container);
    elements.forEach((element) => {
      const text = element.textContent.replace(/\s+/g, " ").trim();
      const key = element.dataset.announce;
      if (speak && announced.has(key) && announced.get(key) !== text) announce(text);
      announced.set(key, text);
    });
  }
  document.addEventListener("DOMContentLoaded", () => noteAnnounced(document.body, false));
  document.addEventListener("htmx:afterSwap", (event) => noteAnnounced(event.target, true));

  // A text field with data-max-chars="N" and a <p data-char-count-for="its id">: the count shows once
  // the text nears N and says by how much it is over. Counted as the server counts (inbox.connectors.reply_length of
  // the trimmed text: code points, a line break one, however the form sends it), so the two never disagree.
  const NEAR_LIMIT = 0.9;
  function charCountUpdate(counter) {
    const field = document.getElementById(counter.dataset.charCountFor);
    if (!field || !field.dataset.maxChars) return;
    const limit = Number(field.dataset.maxChars);
    const count = Array.from(field.value.trim()).length;
    const over = count - limit;
    counter.hidden = count < limit * NEAR_LIMIT;
    counter.classList.toggle("over", over > 0);
    counter.textContent = (over > 0 ? counter.dataset.overText : counter.dataset.countText)
      .replace("{count}", count).replace("{limit}", limit).replace("{over}", over);
  }
  function charCountsUpdate(root) { (root || document).querySelectorAll("[data-char-count-for]").forEach(charCountUpdate); }
  document.addEventListener("input", (event) => {
    if (event.target.id) document.querySelectorAll(`[data-char-count-for="${event.target.id}"]`).forEach(charCountUpdate);
  });
  // On load and after a swap settles: a draft kept across a reload is back in its field by then
  // (inbox.js restores it on DOMContentLoaded and after a swap).
  window.addEventListener("load", () => charCountsUpdate());
  document.addEventListener("htmx:afterSettle", () => charCountsUpdate());
})();
