/* The top bar's search box: "/" moves focus to it from anywhere on the page, except
   while the person is typing in a field (then "/" is just a character). */
(function () {
  "use strict";
  var box = document.getElementById("site-search");
  if (!box) {
    return;
  }
  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target) || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
