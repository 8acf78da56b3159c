/* The checklist saves each answer as soon as it is chosen (htmx posts the form on `change`,
   and a second after typing in the note stops), shows per answer whether it is saving, saved
   or failed (with a Retry button), and warns before leaving the page while anything typed or
   chosen is not saved yet. Without htmx the forms keep their Save buttons and post as before.

   A form's "saved" snapshot is what the server holds as far as this page knows; the form is
   dirty while its values differ from it. After a conflict only Retry saves the form (the other
   person's version is not overwritten by a save the user did not ask for). The state line (#answer-state-N, a live region) is
   filled by the server's response; a response without a data-answer-state element (a login
   page after the session ended, an error page) is never shown and counts as a failed save. */
(function () {
  "use strict";
  var root = document.getElementById("checklist");
  if (!root) { return; }
  var texts = root.dataset;
  var autosave = typeof window.htmx !== "undefined";
  if (autosave) { document.documentElement.classList.add("autosave"); }

  function answerForms() {
    return root.querySelectorAll("form[data-answer-form]");
  }

  function snapshot(form) {
    var parts = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "version") {
        parts.push(name + "=" + value);
      }
    });
    return parts.join("&");
  }

  function isDirty(form) {
    return form.dataset.inflight === "1" || snapshot(form) !== form.dataset.saved;
  }

  function stateOf(form) {
    return form.querySelector(".answer-state");
  }

  function showState(form, kind, text, withRetry) {
    var state = stateOf(form);
    state.textContent = "";
    var line = document.createElement("span");
    line.className = kind === "failed" ? "text-danger" : "text-muted";
    line.textContent = text;
    state.appendChild(line);
    if (withRetry) {
      var retry = document.createElement("button");
      retry.type = "submit";
      retry.className = "btn btn-sm btn-outline-danger ms-1 answer-retry";
      retry.textContent = texts.textRetry;
      state.appendChild(retry);
    }
  }

  answerForms().forEach(function (form) {
    form.dataset.saved = snapshot(form);
  });

  // A value and "not applicable" exclude each other: choosing one clears the other, before
  // htmx (listening on the form, after this capture listener) reads the values to send.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.form;
    if (!form || !form.hasAttribute("data-answer-form")) { return; }
    if (input.name === "value" && input.checked) {
      form.querySelectorAll("input[name=not_applicable]").forEach(function (box) {
        box.checked = false;
      });
    } else if (input.name === "not_applicable" && input.checked) {
      form.querySelectorAll("input[name=value]").forEach(function (radio) {
        radio.checked = false;
      });
    }
  }, true);

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute("data-answer-form")) { return; }
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var asked = trigger && trigger.type === "submit";  // Retry, or Enter in a field
    if (!asked && (snapshot(form) === form.dataset.saved || form.dataset.conflict === "1")) {
      // Nothing new (leaving the note after its text was saved), or someone else's version is
      // saved: only the Retry button replaces that, never a save the user did not ask for.
      event.preventDefault();
      return;
    }
    form.dataset.inflight = "1";
    form.dataset.pending = snapshot(form);
    showState(form, "saving", texts.textSaving, false);
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.hasAttribute("data-answer-form")) { return; }
    var body = event.detail.xhr.responseText || "";
    if (body.indexOf("data-answer-state") === -1) {
      event.detail.shouldSwap = false;
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.hasAttribute("data-answer-form")) { return; }
    form.dataset.inflight = "0";
    var outcome = stateOf(form).querySelector("[data-answer-state]");
    if (!event.detail.successful || !outcome) {
      showState(form, "failed", texts.textFailed, true);
      return;
    }
    var kind = outcome.getAttribute("data-answer-state");
    form.dataset.conflict = kind === "conflict" ? "1" : "0";
    if (kind === "saved") {
      form.dataset.saved = form.dataset.pending;
    } else if (kind === "conflict") {
      form.dataset.saved = "";  // someone else's version: any input of ours is unsaved
    }
  });

  // Forms posted normally (the no-JavaScript Save, Submit, Return) leave the page on purpose;
  // the warning is about the other forms.
  var leaving = null;
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) { leaving = event.target; }
  });

  function hasTypedInput(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "file") { return field.files && field.files.length > 0; }
      if (field.type === "url" || field.type === "text" || field.tagName === "TEXTAREA") {
        return field.value.trim() !== "";
      }
      return false;
    });
  }

  window.addEventListener("beforeunload", function (event) {
    var unsaved = Array.prototype.some.call(answerForms(), function (form) {
      return form !== leaving && isDirty(form);
    }) || Array.prototype.some.call(document.querySelectorAll("form[data-warn-unsaved]"),
      function (form) { return form !== leaving && hasTypedInput(form); });
    leaving = null;
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their dialog
    }
  });
})();
