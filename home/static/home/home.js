// Today's intakes on the front desk's home: while one is still being routed, fetch
// the page again every 5 seconds and put the fresh table in place of the old one,
// until routing has finished for all of them.
(function () {
  "use strict";
  var ID = "todays-intakes";
  function poll() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(ID);
        var table = document.getElementById(ID);
        if (!fresh || !table) { return; }
        table.replaceWith(fresh);
        if (fresh.hasAttribute("data-routing")) { window.setTimeout(poll, 5000); }
      });
  }
  var table = document.getElementById(ID);
  if (table && table.hasAttribute("data-routing")) { window.setTimeout(poll, 5000); }
})();
