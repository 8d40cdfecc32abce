// The intake form's treatment rows: choosing a catalogue drug fills in its class
// and usual use, as the server would on saving. A separate file (the Content
// Security Policy allows no inline script); the form works without it.
(function () {
  "use strict";

  function fill(row, name, value) {
    var select = row.querySelector("select[name$='-" + name + "']");
    if (select && value) {
      select.value = value;
    }
  }

  function drugChosen(event) {
    var data = event.params && event.params.data;
    var select = event.target;
    if (!data || !select.name || !/^treatments-\d+-drug$/.test(select.name)) {
      return;
    }
    var row = select.closest("tr");
    fill(row, "intent", data.intent);
    fill(row, "treatment_class", data.treatment_class);
  }

  // Django's admin loads jQuery and Select2 as django.jQuery; Select2 announces a
  // choice with its own jQuery event, which a plain listener does not see.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(document).on("select2:select", drugChosen);
  }
})();
