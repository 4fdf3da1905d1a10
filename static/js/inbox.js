// The agent inbox: SLA countdowns, queue navigation, composer helpers, live claim state.
(function () {
  "use strict";
  const german = document.documentElement.lang === "de";
  const units = german ? { hour: "Std.", minute: "Min." } : { hour: "h", minute: "min" };
  const phrases = german
    ? { due: (span) => `in ${span}`, overdue: (span) => `${span} überfällig` }
    : { due: (span) => `in ${span}`, overdue: (span) => `${span} overdue` };

  function formatSpan(minutes) {
    if (minutes < 60) return `${minutes} ${units.minute}`;
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return rest ? `${hours} ${units.hour} ${rest} ${units.minute}` : `${hours} ${units.hour}`;
  }

  function describeDue(due) {
    const minutes = Math.round((due - Date.now()) / 60000);
    if (minutes < 0) return { text: phrases.overdue(formatSpan(-minutes)), state: "overdue" };
    return { text: phrases.due(formatSpan(minutes)), state: minutes <= 15 ? "soon" : "later" };
  }

  function refreshDueTimes(root) {
    (root || document).querySelectorAll("[data-due]").forEach((element) => {
      const due = Date.parse(element.dataset.due);
      if (Number.isNaN(due)) return;
      const { text, state } = describeDue(due);
      element.textContent = text;
      element.dataset.dueState = state;
      element.title = new Date(due).toLocaleString();
    });
  }

  function queueRows() { return Array.from(document.querySelectorAll("[data-queue-row]")); }

  function moveSelection(step) {
    const rows = queueRows();
    if (!rows.length) return;
    const current = rows.findIndex((row) => row.classList.contains("selected"));
    const loadMore = document.querySelector(".load-more-row button");
    if (step > 0 && current === rows.length - 1 && loadMore) { loadMore.click(); return; }  // j past the end
    const next = rows[Math.min(rows.length - 1, Math.max(0, current + step))];
    rows.forEach((row) => row.classList.remove("selected"));
    next.classList.add("selected");
    next.querySelector("[data-item-link]").click();
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches("textarea") && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = target.closest("form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || target.matches("input, textarea, select")) return;
    if (event.key === "j") { event.preventDefault(); moveSelection(1); }
    if (event.key === "k") { event.preventDefault(); moveSelection(-1); }
  });

  document.addEventListener("click", (event) => {
    const discard = event.target.closest("[data-draft-discard]");
    if (discard) {
      const box = discard.closest("[data-unsent-draft]");
      sessionStorage.removeItem(box.dataset.unsentDraft);
      box.hidden = true;
      return;
    }
    const insert = event.target.closest("[data-insert-text]");
    if (insert) {
      const field = document.querySelector(insert.dataset.insertTarget);
      if (!field) return;
      const start = field.selectionStart ?? field.value.length;
      field.value = field.value.slice(0, start) + insert.dataset.insertText + field.value.slice(field.selectionEnd ?? start);
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
      return;
    }
    const copy = event.target.closest("[data-copy-text]");
    if (copy) {  // a canned response for a channel that cannot send: pasted on the platform
      navigator.clipboard.writeText(copy.dataset.copyText).then(() => {
        copy.dataset.title = copy.dataset.title || copy.textContent;
        copy.textContent = `${copy.dataset.title} ✓ ${copy.dataset.copiedLabel}`;
      });
      return;
    }
    const confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) event.preventDefault();
    // Closing (x) would leave a written reply unsent: ask first, only then.
    const closer = event.target.closest("[data-confirm-if-draft]");
    const reply = document.getElementById("reply-text");
    if (closer && reply && reply.value.trim() && !window.confirm(closer.dataset.confirmIfDraft)) event.preventDefault();
  });

  // Keep the reply draft across live reloads of the workspace.
  document.addEventListener("input", (event) => {
    const key = event.target.dataset && event.target.dataset.draftKey;
    if (key) sessionStorage.setItem(key, event.target.value);
  });
  // A draft is forgotten only once the server says the reply went out, or the agent discards it (a
  // refusal, a lead taking the item over, a colleague closing it: it is shown read-only meanwhile).
  // The field shows the saved draft, or the server's text becomes the saved draft; true if there is one.
  function syncDraft(field, key) {
    const saved = sessionStorage.getItem(key);
    if (saved && !field.value) field.value = saved;
    else if (field.value && !saved) sessionStorage.setItem(key, field.value);
    return Boolean(field.value);
  }
  function restoreDrafts(root) {
    root = root || document;
    root.querySelectorAll("[data-draft-clear]").forEach((sent) => sessionStorage.removeItem(sent.dataset.draftClear));
    root.querySelectorAll("[data-draft-key]").forEach((field) => syncDraft(field, field.dataset.draftKey));
    root.querySelectorAll("[data-unsent-draft]").forEach((box) => {
      if (syncDraft(box.querySelector("textarea"), box.dataset.unsentDraft)) box.hidden = false;
    });
  }

  // What the agent has typed into the workspace's other fields (notes, tags, a take-over reason)
  // and not sent yet, by form and field name; the reply has its own draft (above).
  function typedFields() {
    return Array.from(document.querySelectorAll("#workspace form textarea[name], #workspace form input[name]"))
      .filter((field) => (field.type === "text" || field.type === "textarea") && !field.dataset.draftKey && !field.readOnly);
  }
  function typedKey(field) { return `${field.form.getAttribute("action")}|${field.name}`; }
  function typedTexts() {
    return new Map(typedFields().filter((field) => field.value !== field.defaultValue).map((field) => [typedKey(field), field.value]));
  }
  function typedTextsRestore(typed) {
    typedFields().forEach((field) => { if (typed.has(typedKey(field))) field.value = typed.get(typedKey(field)); });
  }

  // A form that must not go twice (a double click would open two crises).
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("[data-submit-once]")) return;
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "yes";
  });

  // "Claim next" takes the filters as they are chosen now, not as the page was loaded.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const filters = document.getElementById("queue-filters");
    if (!form.matches("[data-claim-next]") || !filters) return;
    form.querySelectorAll("[data-filter-copy]").forEach((input) => input.remove());
    new FormData(filters).forEach((value, name) => {
      if (!value) return;
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name, value });
      input.dataset.filterCopy = "";
      form.appendChild(input);
    });
  });

  // With a client chosen, the channel menu offers that client's channels only; a channel of
  // another client is let go (before htmx asks for the list, which would be empty).
  function channelsOfChosenClient() {
    const filters = document.getElementById("queue-filters");
    if (!filters) return;
    const client = filters.elements.client.value;
    const channel = filters.elements.channel;
    Array.from(channel.options).forEach((option) => {
      option.hidden = Boolean(client && option.dataset.client && option.dataset.client !== client);
    });
    if (channel.selectedOptions[0] && channel.selectedOptions[0].hidden) channel.value = "";
  }
  document.addEventListener("change", (event) => {
    if (event.target.name === "client" && event.target.closest("#queue-filters")) channelsOfChosenClient();
  }, true);
  channelsOfChosenClient();

  // The live refresh of the queue asks for as many rows as are loaded, so "Load more" pages stay.
  document.body.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id === "queue-list" && !event.detail.parameters.cursor) {
      event.detail.parameters.rows = queueRows().length;
    }
  });

  // When the polled claim status no longer matches the composer (someone claimed, the lease
  // expired, a lead took over), reload the workspace so the right actions are offered.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    refreshDueTimes(event.target);
    restoreDrafts(event.target);
    const status = document.getElementById("claim-status");
    const composer = document.getElementById("composer");
    if (status && composer && event.target.id === "claim-status" && status.dataset.claimState !== composer.dataset.claimState) {
      const pane = document.querySelector("[data-item-id]");
      if (pane && window.htmx) {
        const typed = typedTexts();  // a half-written note or reason survives the reload
        window.htmx.ajax("GET", `/inbox/items/${pane.dataset.itemId}/`, "#workspace").then(() => typedTextsRestore(typed));
      }
    }
    // The open item stays marked (j/k go on from it) after the workspace or the queue changed.
    if (event.target.id === "workspace" || event.target.id === "queue-list") markOpenItem();
    const requester = swapRequester(event);
    if (requester && requester.id === "queue-list") announceArrivals();
  });
  function swapRequester(event) { return event.detail.requestConfig && event.detail.requestConfig.elt; }  // detail.elt is the swapped element

  // The focus moves once htmx has settled the new content, not right after the swap: only then are
  // its forms and shortcuts wired, so a key pressed the moment the focus lands does what it says
  // (before, "c" on a just-opened item could post the claim form as a full page load).
  document.body.addEventListener("htmx:afterSettle", (event) => {
    const requester = swapRequester(event);
    if (!requester) return;
    if (event.target.id === "workspace") focusAfterWorkspaceSwap(requester);
    if (event.target.matches("[data-queue-row]") && requester.closest(".load-more-row") && focusLost()) {
      event.target.querySelector("[data-item-link]").focus();  // the first row "Load more" brought
    }
  });

  // An item opened from the queue (j/k, Enter, a click) puts the keyboard focus on its heading, so
  // that Tab goes on in the item, not down the rest of the queue, and a screen reader says which
  // item is open. So does an action whose button the swap took away: the focus would fall back to
  // <body>, and the next Tab start at the top of the page. A field htmx kept (same id) keeps it.
  function focusLost() {
    return !document.activeElement || document.activeElement === document.body;
  }
  function focusAfterWorkspaceSwap(requester) {
    const heading = document.querySelector("#workspace [data-swap-focus]");
    if (heading && (requester.matches("[data-item-link]") || focusLost())) heading.focus();
  }

  // The queue is not a live region (it would be read out whole every 5 s): when its live refresh
  // brings items it did not show before, screen readers are told so once.
  let shownBeforeRefresh = null;
  function shownItemIds() { return new Set(queueRows().map((row) => row.querySelector("[data-item-link]").id)); }
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.requestConfig && event.detail.requestConfig.elt.id === "queue-list") shownBeforeRefresh = shownItemIds();
  });
  function announceArrivals() {
    const before = shownBeforeRefresh;
    shownBeforeRefresh = null;
    if (!before || Array.from(shownItemIds()).every((id) => before.has(id))) return;
    const message = document.getElementById("queue-list").dataset.arrivalsMessage;
    document.dispatchEvent(new CustomEvent("communityops:announce", { detail: message }));
  }

  function markOpenItem() {
    const pane = document.querySelector("[data-item-id]");
    queueRows().forEach((row) => {
      const link = row.querySelector("[data-item-link]");
      row.classList.toggle("selected", Boolean(pane && link && link.pathname.endsWith(`/items/${pane.dataset.itemId}/`)));
    });
  }

  // Back restores htmx's snapshot of the page's HTML, where a filter chosen since the page loaded is
  // not marked: write the chosen values into the HTML first, so the menus match the list again.
  document.body.addEventListener("htmx:beforeHistorySave", () => {
    document.querySelectorAll("#queue-filters select option").forEach((option) => option.toggleAttribute("selected", option.selected));
    document.querySelectorAll("#queue-filters input").forEach((input) => input.setAttribute("value", input.value));
  });
  document.body.addEventListener("htmx:historyRestore", () => { markOpenItem(); refreshDueTimes(); restoreDrafts(); });

  document.addEventListener("DOMContentLoaded", () => { refreshDueTimes(); restoreDrafts(); });
  setInterval(() => refreshDueTimes(), 15000);
})();
