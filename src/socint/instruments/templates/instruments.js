/* Companion instruments: the school table's two rankings and filters (no inline scripts: the
   pages carry the dashboard's Content-Security-Policy). */
(function () {
  "use strict";
  var body = document.querySelector("#league tbody");
  if (!body) { return; }
  var la = document.getElementById("f-la"), ph = document.getElementById("f-phase"),
      nm = document.getElementById("f-name"), cap = document.getElementById("league-caption"),
      radios = Array.prototype.slice.call(document.querySelectorAll("input[name='ranking']"));
  function ranking() {
    var on = radios.filter(function (r) { return r.checked; })[0];
    return on ? on.value : "div";
  }
  function key(tr, which) {
    var v = parseFloat((tr.dataset[which] || "").replace(/,/g, ""));
    return isNaN(v) ? 1e9 : v;
  }
  function apply() {
    var which = ranking(), q = nm.value.toLowerCase();
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
    rows.sort(function (a, b) { return key(a, which) - key(b, which); });
    rows.forEach(function (tr) {
      tr.hidden = !((!la.value || tr.dataset.la === la.value) &&
                    (!ph.value || tr.dataset.phase === ph.value) &&
                    (!q || tr.dataset.name.indexOf(q) !== -1));
      body.appendChild(tr);
    });
    cap.textContent = cap.dataset[which];
  }
  radios.concat([la, ph]).forEach(function (el) { el.addEventListener("change", apply); });
  nm.addEventListener("input", apply);
})();
