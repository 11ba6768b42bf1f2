// Small behaviours of tsunagi's screens. Everything works without this file; it only helps.
(function () {
  "use strict";
  // Postal code → address: fills the prefecture/municipality/address fields of the same form.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-postal-lookup]")) return;
    var form = input.form;
    var url = input.getAttribute("data-postal-lookup") + encodeURIComponent(input.value);
    var status = document.getElementById(input.id + "_lookup");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { if (status) status.textContent = res.body.detail || ""; return; }
        var a = res.body;
        input.value = a.postal_code;
        var address = form.querySelector("[name=address]");
        if (address && !address.value) address.value = a.city + a.town;
        var municipality = form.querySelector("select[name=municipality]");
        if (municipality && a.municipality_id) municipality.value = String(a.municipality_id);
        if (status) status.textContent = a.prefecture + a.city + a.town;
      })
      .catch(function () { /* offline: the user types the address */ });
  });
})();
