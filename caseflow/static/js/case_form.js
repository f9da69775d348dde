// Caseflow: the case form's person rows, enhanced.
// Without JavaScript, "Add a person" posts the form and the page comes back at the new
// row, with the same defaults filled in on the server (CaseForm.add_person). With it:
// - "Add a person" clones the <template> row in the page (renumbering the
//   persons-N-* names, ids and labels) and moves the focus to its first field;
// - once the last person has a first name, a spare row for one more person is ready
//   below it; a row nothing was typed in is left out when the form is sent;
// - a new person starts with the first person's last name and nationality, and as
//   Partner (the first one after the main applicant) or Child;
// - a date of birth under 18 on the arrival date (today if unknown) makes the role
//   Child, an adult's makes it Partner (or Other), until the advisor picks a role;
// - the household name follows the first person's last name until it is typed in.
(function () {
  "use strict";

  const persons = document.querySelector("[data-persons]");
  if (!persons) return;
  const rows = persons.querySelector("[data-person-rows]");
  const template = persons.querySelector("template[data-person-template]");
  const addButton = persons.querySelector("[data-add-person]");
  const status = persons.querySelector("[data-person-status]");
  const household = document.getElementById(persons.dataset.household);
  const arrival = document.getElementById(persons.dataset.arrival);
  const adultAge = Number(persons.dataset.adultAge || 18);
  const maxPersons = Number(persons.dataset.maxPersons || 20);

  function rowList() {
    return Array.from(rows.querySelectorAll("[data-person]"));
  }

  function part(row, name) {
    return row.querySelector(`[name$="-${name}"]`);
  }

  function age(born, day) {
    let years = day.getFullYear() - born.getFullYear();
    if (
      day.getMonth() < born.getMonth() ||
      (day.getMonth() === born.getMonth() && day.getDate() < born.getDate())
    ) {
      years -= 1;
    }
    return years;
  }

  function parseDate(value) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
  }

  function hasPartner(except) {
    return rowList().some((row) => row !== except && part(row, "household_role").value === "partner");
  }

  // The role follows the date of birth until the advisor chooses one themselves.
  function roleFromBirth(row) {
    const role = part(row, "household_role");
    if (role.dataset.chosen || row === rowList()[0]) return;
    const born = parseDate(part(row, "date_of_birth").value);
    if (!born) return;
    const day = parseDate(arrival && arrival.value) || new Date();
    if (age(born, day) < adultAge) {
      role.value = "child";
    } else if (role.value === "child") {
      role.value = hasPartner(row) ? "other" : "partner";
    }
  }

  function watchRow(row) {
    const role = part(row, "household_role");
    role.addEventListener("change", () => {
      role.dataset.chosen = "1";
    });
    part(row, "date_of_birth").addEventListener("change", () => roleFromBirth(row));
  }

  // A row added in the page is "spare" until something is typed in it: a spare row is
  // left out when the form is sent, so an empty row for "one more person" costs nothing.
  function isSpare(row) {
    return row.hasAttribute("data-spare");
  }

  function setSpare(row, spare) {
    row.toggleAttribute("data-spare", spare);
    const hint = row.querySelector("[data-spare-hint]");
    if (hint) hint.hidden = !spare;
  }

  // A new person starts like the household: the first person's last name and
  // nationality; Partner for the first one after the main applicant, else Child.
  function applyDefaults(row, index) {
    const first = rowList()[0];
    if (!first || first === row) return;
    part(row, "last_name").value = part(first, "last_name").value;
    part(row, "nationality").value = part(first, "nationality").value;
    if (!part(row, "household_role").dataset.chosen) {
      const partner = index === 1 && !hasPartner(row);
      part(row, "household_role").value = partner ? "partner" : "child";
    }
  }

  function insertRow() {
    const index = rowList().length;
    const html = template.innerHTML
      .replaceAll("__I__", String(index))
      .replaceAll("__N__", String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    const row = rowList()[index];
    applyDefaults(row, index);
    setSpare(row, true);
    watchRow(row);
    addButton.setAttribute("formaction", `#person-${index + 2}`);
    return row;
  }

  // Once the last person has a name, a spare row for the next one is ready below.
  function ensureSpareRow() {
    const list = rowList();
    const last = list[list.length - 1];
    if (!last || isSpare(last) || list.length >= maxPersons) return;
    if (part(last, "first_name").value.trim()) insertRow();
  }

  function addPerson(event) {
    const list = rowList();
    let row = list.find(isSpare);
    if (!row) {
      if (list.length >= maxPersons) return; // the server explains the limit
      row = insertRow();
    }
    event.preventDefault();
    const legend = row.querySelector("legend");
    if (status && legend) status.textContent = legend.textContent;
    part(row, "first_name").focus();
  }

  function typed(event) {
    const row = event.target.closest("[data-person]");
    if (!row) return;
    if (isSpare(row)) setSpare(row, false);
    const list = rowList();
    if (row === list[0]) {
      // The spare rows keep following the first person's last name and nationality.
      list.forEach((other, index) => {
        if (isSpare(other)) applyDefaults(other, index);
      });
    }
    ensureSpareRow();
  }

  // The household name follows the first person's last name while it is empty or
  // still the suggestion.
  function suggestHousehold() {
    const first = rowList()[0];
    if (!household || !first) return;
    const last = part(first, "last_name").value.trim();
    const pattern = persons.dataset.householdPattern;
    if (household.value.trim() === "" || household.value === household.dataset.suggested) {
      const suggestion = last ? pattern.replace("{name}", last) : "";
      household.value = suggestion;
      household.dataset.suggested = suggestion;
    }
  }

  rowList().forEach(watchRow);
  const firstRow = rowList()[0];
  if (firstRow) part(firstRow, "last_name").addEventListener("input", suggestHousehold);
  if (arrival) {
    arrival.addEventListener("change", () => rowList().forEach(roleFromBirth));
  }
  addButton.addEventListener("click", addPerson);
  rows.addEventListener("input", typed);
  const form = persons.closest("form");
  if (form) {
    form.addEventListener("submit", () => {
      rowList().filter(isSpare).forEach((row) => row.remove());
    });
  }
  ensureSpareRow();
})();
