/* Rankings table: search by name or code, sort by any column. Text is never parsed as HTML. */
(function () {
  "use strict";
  var table = document.getElementById("rankings");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var search = document.getElementById("search");
  var count = document.getElementById("search-count");
  var total = rows.length;

  function filter() {
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = q === "" || row.getAttribute("data-search").indexOf(q) !== -1;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + " of " + total + " shown";
  }

  function cellValue(row, index, kind) {
    var raw = row.cells[index].getAttribute("data-value");
    if (kind === "num") {
      var v = parseFloat(raw);
      return isNaN(v) ? null : v;
    }
    return raw;
  }

  function sortBy(button) {
    var th = button.parentNode;
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var kind = button.getAttribute("data-kind");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }   /* missing values last either way */
      if (y === null) { return -1; }
      var c = kind === "num" ? x - y : String(x).localeCompare(String(y));
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  search.addEventListener("input", filter);
  Array.prototype.forEach.call(table.tHead.querySelectorAll("button"), function (button) {
    button.addEventListener("click", function () { sortBy(button); });
  });
  filter();
  document.documentElement.setAttribute("data-ready", "1");
}());
