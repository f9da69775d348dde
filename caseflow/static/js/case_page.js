// Caseflow: the case page's sections as tabs (Checklist, Follow-ups, Notes, Emails,
// Activity). Without JavaScript the strip is a list of links to anchored sections; here
// it becomes an ARIA tab list. The URL fragment picks the tab, so links such as
// /cases/1#notes or /cases/1#item-7 keep working, and choosing a tab updates it.
(function () {
  "use strict";

  const nav = document.querySelector("[data-case-tabs]");
  if (!nav) return;
  const list = nav.querySelector("ul");
  const links = Array.from(nav.querySelectorAll("a[href^='#']"));
  const panels = links.map((link) => document.getElementById(link.hash.slice(1)));
  if (panels.some((panel) => !panel)) return;

  list.setAttribute("role", "tablist");
  links.forEach((link, index) => {
    const panel = panels[index];
    link.parentElement.setAttribute("role", "presentation");
    link.setAttribute("role", "tab");
    link.id = "tab-" + panel.id;
    link.setAttribute("aria-controls", panel.id);
    panel.setAttribute("role", "tabpanel");
    // The panel keeps its own heading as its name ("Checklist", "Notes"...).
    panel.tabIndex = -1;
  });
  document.body.classList.add("cf-tabs-on");

  function select(index, focusTab) {
    links.forEach((link, n) => {
      const chosen = n === index;
      link.setAttribute("aria-selected", chosen ? "true" : "false");
      link.classList.toggle("active", chosen);
      link.tabIndex = chosen ? 0 : -1;
      panels[n].hidden = !chosen;
    });
    if (focusTab) links[index].focus();
  }

  // Show what the fragment points at: its tab, its folded <details>, then scroll to it.
  function reveal(hash, focus) {
    const target = hash && hash.length > 1 ? document.getElementById(hash.slice(1)) : null;
    const index = target ? panels.findIndex((panel) => panel.contains(target)) : -1;
    if (index < 0) {
      // A form sent back with errors (no fragment then) shows the tab that holds it.
      const invalid = panels.findIndex((panel) => panel.querySelector("[aria-invalid=true]"));
      select(invalid < 0 ? 0 : invalid, false);
      if (target) target.scrollIntoView();
      return;
    }
    select(index, false);
    for (let el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target !== panels[index]) {
      target.scrollIntoView({ block: "center" });
      if (focus) {
        const field = target.matches("input, textarea, select")
          ? target
          : target.querySelector("input:not([type=hidden]), textarea, select");
        (field || target).focus();
      }
    }
  }

  links.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      select(index, true);
      history.replaceState(null, "", link.hash);
    });
    link.addEventListener("keydown", (event) => {
      let next = null;
      if (event.key === "ArrowRight") next = (index + 1) % links.length;
      else if (event.key === "ArrowLeft") next = (index - 1 + links.length) % links.length;
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = links.length - 1;
      if (next === null) return;
      event.preventDefault();
      select(next, true);
      history.replaceState(null, "", links[next].hash);
    });
  });

  // Other links on the page to a part of a tab ("Plan follow-up", "Add note", #reviews...)
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link || links.includes(link)) return;
    const target = document.getElementById(link.hash.slice(1));
    if (!target || !panels.some((panel) => panel.contains(target))) return;
    event.preventDefault();
    history.replaceState(null, "", link.hash);
    reveal(link.hash, true);
  });

  window.addEventListener("hashchange", () => reveal(location.hash, false));
  reveal(location.hash, false);
})();
