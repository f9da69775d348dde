// Caseflow: tick a checklist step without reloading the case page, with "Undo" for a
// few seconds; and, on a step's page, the "not applicable" reason only when that state
// is chosen. Without JavaScript the same forms post and the page reloads; this only
// enhances them.
(function () {
  "use strict";

  const UNDO_SECONDS = 10;

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

  // "3 of 20 done · 2 overdue", the overdue count styled as such (or gone at zero).
  function showProgress(element, parts) {
    if (!element) return;
    element.textContent = parts.done;
    if (parts.overdue) {
      element.append(" · ");
      const overdue = document.createElement("span");
      overdue.className = "cf-overdue";
      overdue.textContent = parts.overdue;
      element.append(overdue);
    }
  }

  function showOverdueCount(data) {
    const badge = document.querySelector("[data-overdue-count]");
    if (!badge) return;
    badge.textContent = data.progress_parts.overdue;
    badge.hidden = !data.overdue;
  }

  function post(form, extra) {
    const body = new FormData(form);
    Object.entries(extra || {}).forEach(([name, value]) => body.set(name, value));
    return fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then((response) => response.json().then((data) => ({ ok: response.ok, data })));
  }

  function update(form, data) {
    const section = form.closest("[data-checklist]");
    const item = form.closest(".cf-item");
    item.classList.remove("cf-item-" + data.previous_state);
    item.classList.add("cf-item-" + data.state);
    item.classList.toggle("cf-item-overdue", data.overdue_item);
    item.querySelector("[data-state]").textContent = data.state_label;
    const overdue = item.querySelector("[data-overdue]");
    if (!data.overdue_item && overdue) {
      overdue.remove();
    } else if (data.overdue_item && !overdue) {
      const mark = document.createElement("span");
      mark.dataset.overdue = "";
      const label = document.createElement("span");
      label.className = "cf-overdue";
      label.textContent = form.dataset.overdueLabel;
      mark.append(" · ", label);
      item.querySelector("[data-state]").after(mark);
    }
    form.querySelector("input[name=version]").value = data.version;
    showProgress(section.querySelector('[data-progress="case"]'), data.progress_parts);
    const group = item.closest(".cf-checklist-person");
    showProgress(
      group && group.querySelector('[data-progress="person"]'),
      data.person_progress_parts,
    );
    showOverdueCount(data);
    announce(section, data.message);
  }

  function offerUndo(form, data) {
    const item = form.closest(".cf-item");
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "btn btn-sm btn-outline-secondary";
    undo.dataset.undo = "";
    undo.textContent = form.dataset.undoLabel || "Undo";
    const title = form.querySelector("button .visually-hidden");
    if (title) undo.append(title.cloneNode(true));
    form.hidden = true;
    form.after(undo);
    undo.focus(); // focus stays on this row
    let expired = false;
    const remove = () => {
      if (!undo.isConnected) return;
      const hadFocus = document.activeElement === undo;
      undo.remove();
      if (hadFocus) item.focus();
    };
    // The button stays while it has focus, so nobody loses it mid-way.
    const timer = window.setTimeout(() => {
      expired = true;
      if (document.activeElement !== undo) remove();
    }, UNDO_SECONDS * 1000);
    undo.addEventListener("blur", () => {
      if (expired) window.setTimeout(remove, 0);
    });
    undo.addEventListener("click", () => {
      window.clearTimeout(timer);
      undo.disabled = true;
      post(form, { undo: data.previous_state })
        .then(({ ok, data: back }) => {
          if (!ok) {
            undo.remove();
            announce(form.closest("[data-checklist]"), back.error || "");
            window.location.reload();
            return;
          }
          update(form, back);
          undo.remove();
          form.hidden = false;
          const button = form.querySelector("button");
          button.disabled = false;
          button.focus();
        })
        .catch(() => window.location.reload());
    });
  }

  function tick(form, event) {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    post(form)
      .then(({ ok, data }) => {
        if (!ok) {
          button.disabled = false;
          announce(form.closest("[data-checklist]"), data.error || "");
          form.submit(); // fall back to the page, which explains the conflict
          return;
        }
        update(form, data);
        offerUndo(form, data);
      })
      .catch(() => form.submit());
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("form[data-tick]")) tick(form, event);
  });

  // A step's page: the reason field only while "Not applicable" is chosen.
  const reason = document.querySelector("[data-reason-field]");
  const state = reason && reason.closest("form").querySelector("select[name=state]");
  if (state) {
    const toggle = () => {
      reason.hidden = state.value !== "not_applicable";
    };
    state.addEventListener("change", toggle);
    toggle();
  }
})();
