// Small progressive enhancements; every feature also works without JavaScript.
(function () {
  "use strict";

  // Feedback forms post in place and show the thanks without leaving the answer.
  document.querySelectorAll("form[data-inline]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          var box = form.closest(".feedback");
          var note = document.createElement("p");
          note.setAttribute("role", "status");
          note.className = response.ok ? "thanks" : "error";
          note.textContent = response.ok
            ? "Thanks: your feedback goes to the trainers who curate Signpost."
            : "Sorry, the feedback could not be saved. Please try again.";
          box.replaceChildren(note);
        });
    });
  });

  // A character counter under the question box: a long paste is never cut silently; over the
  // limit the counter says by how much and the form is not sent.
  document.querySelectorAll("textarea[data-max]").forEach(function (box) {
    var max = Number(box.dataset.max);
    var counter = document.getElementById(box.getAttribute("aria-describedby"));
    var form = box.form;
    function update() {
      var used = box.value.length;
      var over = used > max;
      counter.textContent = over
        ? used.toLocaleString("en-GB") + " / " + max.toLocaleString("en-GB") +
          " characters: " + (used - max).toLocaleString("en-GB") + " over the limit, please shorten it."
        : used.toLocaleString("en-GB") + " / " + max.toLocaleString("en-GB") + " characters";
      counter.classList.toggle("error", over);
      box.setAttribute("aria-invalid", over ? "true" : "false");
    }
    box.addEventListener("input", update);
    form.addEventListener("submit", function (event) {
      if (box.value.length > max) { event.preventDefault(); update(); box.focus(); }
    });
    update();
  });

  // Filter a table's rows by the text typed in a search box.
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var table = document.getElementById(input.dataset.filter);
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = term !== "" && row.textContent.toLowerCase().indexOf(term) === -1;
      });
    });
  });

  // Sort a table by the clicked column (again to reverse).
  document.querySelectorAll("table.sortable th button[data-sort]").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = button.closest("table");
      var body = table.tBodies[0];
      var column = Number(button.dataset.sort);
      var numeric = button.hasAttribute("data-numeric");
      var ascending = button.dataset.dir !== "asc";
      button.dataset.dir = ascending ? "asc" : "desc";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
