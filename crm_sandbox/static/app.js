// CRM Sandbox: small progressive enhancements (served by the app; no inline script).
// A form with data-busy-message shows that message with a spinner while the server works
// (provisioning a group's sandboxes, building an evidence pack) and cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-busy-message");
  if (!message) { return; }
  if (form.dataset.busy === "1") { event.preventDefault(); return; }
  form.dataset.busy = "1";
  var status = document.createElement("div");
  status.className = "alert alert-info d-flex align-items-center gap-2 mt-3";
  status.setAttribute("role", "status");
  var spinner = document.createElement("span");
  spinner.className = "spinner-border spinner-border-sm";
  spinner.setAttribute("aria-hidden", "true");
  status.appendChild(spinner);
  status.appendChild(document.createTextNode(" " + message));
  form.appendChild(status);
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
    b.setAttribute("aria-disabled", "true");
    b.classList.add("disabled");
  });
});
