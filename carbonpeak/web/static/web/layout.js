// Phone card tables (issue 14): each cell of a table.cards-phone gets its column's name as data-label, which
// layout.css shows beside the value on narrow screens. Read from the table's own header, so the label is in
// the page's language and follows whatever columns the template renders.
(function () {
  "use strict";

  function label(table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.cells, function (td) {
        if (!td.hasAttribute("data-label") && names[col]) td.setAttribute("data-label", names[col]);
        col += td.colSpan || 1;
      });
    });
  }

  function init(root) {
    (root || document).querySelectorAll("table.cards-phone").forEach(label);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target.closest("table.cards-phone") ? e.target.closest("table.cards-phone").parentNode : e.target); });
})();
