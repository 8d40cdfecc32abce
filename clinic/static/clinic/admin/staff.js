// Every admin page (templates/admin/base_site.html). Select2, which Django's admin
// uses for its searchable pickers, names its combobox by the chosen value only, so
// an empty picker has no name for a screen reader (axe aria-input-field-name). Each
// picker is named by its field's label (or the select's own aria-label, as the
// intake's treatment rows have), followed by the value chosen.
(function () {
  "use strict";

  function nameOf(select) {
    var label = select.id && document.querySelector("label[for='" + select.id + "']");
    if (label) {
      if (!label.id) {
        label.id = select.id + "-label";
      }
      return { labelId: label.id };
    }
    return { text: select.getAttribute("aria-label") };
  }

  function namePickers(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector("[role='combobox']");
      var rendered = container && container.querySelector(".select2-selection__rendered");
      if (!combobox || !rendered || !rendered.id) {
        return;
      }
      var name = nameOf(select);
      if (name.labelId) {
        combobox.setAttribute("aria-labelledby", name.labelId + " " + rendered.id);
        rendered.setAttribute("aria-labelledby", name.labelId);
      } else if (name.text) {
        combobox.removeAttribute("aria-labelledby");
        combobox.setAttribute("aria-label", name.text);
        rendered.setAttribute("aria-label", name.text);
      }
    });
  }

  // Django's autocomplete.js starts Select2 in a jQuery ready handler, and when a
  // formset row is added; these run after it. Not on window's load event: with the
  // page's files cached (a form shown again with its errors), load came before
  // jQuery's ready handlers and the pickers were not there yet to name. jQuery runs
  // ready handlers in order, and this deferred script registers after the page's.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () {
      namePickers(document);
    });
  }
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      namePickers(event.target);
    });
  });
})();
