// Progressive enhancements of the public pages. Everything works without them.
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  // A summary link moves focus to its field, not only the scroll position.
  function linkSummaryToFields() {
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      });
    });
  }

  // A second submit of the same page (a double click) is ignored.
  function submitOnce() {
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting === "yes") {
          event.preventDefault();
          return;
        }
        form.dataset.submitting = "yes";
        form.setAttribute("aria-busy", "true");
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var field = document.getElementById(button.dataset.copy);
        var status = document.getElementById("copy-status");
        navigator.clipboard.writeText(field.value).then(function () {
          if (status) {
            status.textContent = button.dataset.copied;
          }
        });
      });
    });
  }

  // A page shown once in answer to a form (the private link to finish later) gets
  // an address of its own: reloading it shows that page again instead of sending
  // the form again, which would replace the link just e-mailed.
  function settleAddress() {
    var settled = document.querySelector("[data-settled-url]");
    if (settled && window.history.replaceState) {
      window.history.replaceState(null, "", settled.dataset.settledUrl);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    settleAddress();
    focusErrorSummary();
    linkSummaryToFields();
    submitOnce();
    copyButtons();
  });
})();
