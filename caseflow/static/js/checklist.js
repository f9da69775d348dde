// Caseflow: tick a checklist step without reloading the case page.
// Without JavaScript the same form posts and the page reloads; this only enhances it.
(function () {
  "use strict";

  function announce(section, message) {
    let live = section.querySelector("[data-live]");
    if (!live) {
      live = document.createElement("p");
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.dataset.live = "";
      section.prepend(live);
    }
    live.textContent = message;
  }

  function tick(form, event) {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        const section = form.closest("[data-checklist]");
        if (!ok) {
          button.disabled = false;
          announce(section, data.error || "");
          form.submit(); // fall back to the page, which explains the conflict
          return;
        }
        const item = form.closest(".cf-item");
        item.classList.remove("cf-item-overdue");
        item.classList.add("cf-item-done");
        item.querySelector("[data-state]").textContent = form.dataset.doneLabel || "✓";
        const overdue = item.querySelector("[data-overdue]");
        if (overdue) overdue.remove();
        const caseProgress = section.querySelector('[data-progress="case"]');
        if (caseProgress) caseProgress.textContent = data.progress_text;
        const group = item.closest(".cf-checklist-person");
        const personProgress = group && group.querySelector('[data-progress="person"]');
        if (personProgress) personProgress.textContent = data.person_progress_text;
        form.remove();
        announce(section, data.message);
      })
      .catch(() => form.submit());
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-tick]")) tick(form, event);
  });
})();
