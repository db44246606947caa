/* Find an area, on every page: LA or MSOA name or code, or a postcode when the site was built
   with a postcode lookup. Offline: the index is a local script; results are set as text. */
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  if (!input) { return; }
  var list = document.getElementById("site-search-results");
  var root = input.getAttribute("data-root") || "";
  var hasPostcodes = input.getAttribute("data-postcodes") === "1";
  var rows = window.SOCINT_SEARCH || [];
  var byCode = {};
  rows.forEach(function (r) { byCode[r[0]] = r; });
  var pcRe = /^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$/;
  var loading = false;

  function norm(s) { return s.replace(/\s+/g, "").toUpperCase(); }
  function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }
  function item(text, href) {
    var li = document.createElement("li");
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.appendChild(a);
    } else {
      li.textContent = text;
    }
    list.appendChild(li);
  }
  function laName(code) { return byCode[code] ? byCode[code][1] : code; }

  function postcode(q) {
    var p = norm(q);
    if (!pcRe.test(p)) { return false; }
    if (!hasPostcodes) { item("Postcode search needs a site built with a postcode lookup (socint report --postcodes FILE)."); return true; }
    if (!window.SOCINT_POSTCODES) {
      if (!loading) {
        loading = true;
        var s = document.createElement("script");
        s.src = root + "assets/postcodes.js";
        s.onload = function () { render(); };
        document.body.appendChild(s);
      }
      item("Looking up the postcode…");
      return true;
    }
    var hit = window.SOCINT_POSTCODES[p];
    if (!hit) { item("Postcode " + q.trim().toUpperCase() + " is not in the lookup (or not in these areas)."); return true; }
    var m = hit[1] && byCode[hit[1]] ? " (MSOA " + byCode[hit[1]][1] + ")" : "";
    item(q.trim().toUpperCase() + " → " + laName(hit[0]) + m, root + "la/" + hit[0] + ".html");
    return true;
  }

  function render() {
    clear();
    var q = input.value.trim();
    if (q.length < 2) { list.hidden = true; return; }
    list.hidden = false;
    if (postcode(q)) { return; }
    var lq = q.toLowerCase(), shown = 0;
    for (var i = 0; i < rows.length && shown < 8; i += 1) {
      var r = rows[i];
      if (r[1].toLowerCase().indexOf(lq) !== -1 || r[0].toLowerCase() === lq ||
          (lq.length >= 5 && r[0].toLowerCase().indexOf(lq) === 0)) {
        var label = r[2] === "la" ? r[1] + " (local authority, " + r[0] + ")"
          : r[1] + " (MSOA " + r[0] + ", in " + laName(r[3]) + ")";
        item(label, root + "la/" + r[3] + ".html");
        shown += 1;
      }
    }
    if (shown === 0) { item("No area matches “" + q + "”."); }
  }

  input.addEventListener("input", render);
  document.getElementById("site-search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var first = list.querySelector("a");
    if (first) { window.location.href = first.getAttribute("href"); }
  });
}());
