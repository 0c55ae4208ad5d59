// mgrlead's optional script: keys 1-9 answer the focused statement, and each
// answer is saved at once through the JSON API. Without it the form works the same.
(function () {
  "use strict";
  var form = document.getElementById("answers");
  if (!form) { return; }
  var api = form.getAttribute("data-api");
  var keys = form.querySelector(".keys");
  if (keys) { keys.hidden = false; }

  function save(input) {
    if (!api || !window.fetch) { return; }
    var item = input.name.slice(2);  // "a.<item id>"
    window.fetch(api + encodeURIComponent(item), {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ value: Number(input.value) }),
      credentials: "same-origin"
    }).then(function (response) {
      var fieldset = input.closest("fieldset");
      if (fieldset) { fieldset.setAttribute("data-saved", response.ok ? "yes" : "no"); }
    }).catch(function () { /* the form's own submit saves it */ });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "radio") { save(input); }
  });

  form.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var digit = parseInt(event.key, 10);
    if (!(digit >= 1 && digit <= 9)) { return; }
    var fieldset = event.target.closest && event.target.closest("fieldset.statement");
    if (!fieldset) { return; }
    var radios = fieldset.querySelectorAll("input[type=radio]");
    var radio = radios[digit - 1];
    if (!radio) { return; }
    event.preventDefault();
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  });
}());
