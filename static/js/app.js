// CommunityOps page behaviour: theme toggle and keyboard shortcuts (no inline scripts: CSP).
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

  // Elements declare their own shortcut: <button data-shortcut="n">. Typing in a field never triggers one.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.matches("input, textarea, select, [contenteditable]")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    const key = event.key;
    if (key === "?") {
      const help = document.getElementById("shortcut-help");
      if (help) { help.hidden = !help.hidden; event.preventDefault(); }
      return;
    }
    const element = document.querySelector(`[data-shortcut="${CSS.escape(key)}"]`);
    if (!element || element.disabled) return;
    event.preventDefault();
    if (element.matches("textarea, input")) element.focus(); else element.click();
  });
})();
