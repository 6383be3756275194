// CRM Sandbox: small progressive enhancements (served by the app; no inline script).

// A destructive form carries data-confirm="question": the browser asks before sending it.
// (The server still refuses the action unless the form's own confirmation box is ticked.)
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});

// A form with data-busy-message shows that message with a spinner while the server works
// (provisioning a group's sandboxes, building an evidence pack) and cannot be sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-busy-message");
  if (!message || event.defaultPrevented) { return; }
  if (form.dataset.busy === "1") { event.preventDefault(); return; }
  form.dataset.busy = "1";
  form.appendChild(busyStatus(message));
  form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
    b.setAttribute("aria-disabled", "true");
    b.classList.add("disabled");
  });
});

function busyStatus(message) {
  var status = document.createElement("div");
  status.className = "alert alert-info d-flex align-items-center gap-2 mt-3";
  status.setAttribute("role", "status");
  var spinner = document.createElement("span");
  spinner.className = "spinner-border spinner-border-sm";
  spinner.setAttribute("aria-hidden", "true");
  status.appendChild(spinner);
  status.appendChild(document.createTextNode(" " + message));
  return status;
}

// A download link with data-busy-message (an evidence pack is built on request, which takes
// some seconds): fetch it while the message shows, then save the file and say it is ready.
// Without fetch the link simply downloads as usual.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-busy-message]") : null;
  if (!link || !window.fetch || !window.URL || !URL.createObjectURL) { return; }
  event.preventDefault();
  if (link.dataset.busy === "1") { return; }
  link.dataset.busy = "1";
  link.setAttribute("aria-disabled", "true");
  var status = busyStatus(link.getAttribute("data-busy-message"));
  var old = link.parentNode.nextElementSibling;
  if (old && old.getAttribute("data-download-status") !== null) { old.remove(); }
  status.setAttribute("data-download-status", "");
  link.parentNode.insertAdjacentElement("afterend", status);
  fetch(link.href, { credentials: "same-origin" }).then(function (response) {
    if (!response.ok) { throw new Error("the server answered " + response.status + "."); }
    var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return response.blob().then(function (blob) {
      var url = URL.createObjectURL(blob);
      var save = document.createElement("a");
      save.href = url;
      save.download = match ? match[1] : "download";
      document.body.appendChild(save);
      save.click();
      save.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      status.className = "alert alert-success mt-3";
      status.textContent = "Ready: " + save.download + " (" + Math.max(1, Math.round(blob.size / 1024)) +
        " KB) has been saved to your downloads.";
    });
  }).catch(function (error) {
    status.className = "alert alert-danger mt-3";
    status.textContent = "The download did not finish: " + error.message + " Please try again.";
  }).then(function () {
    link.dataset.busy = "";
    link.removeAttribute("aria-disabled");
  });
});

// The send-a-message form: show only the chosen purpose's own fields (a fieldset with
// data-purpose). Without script every fieldset shows, each saying which purpose it is for.
function showPurposeFields(form) {
  var select = form.querySelector("select[name=purpose]");
  if (!select) { return; }
  form.querySelectorAll("fieldset[data-purpose]").forEach(function (fieldset) {
    fieldset.hidden = fieldset.getAttribute("data-purpose") !== select.value;
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-purpose-form]").forEach(showPurposeFields);
});
document.addEventListener("change", function (event) {
  var form = event.target.closest ? event.target.closest("form[data-purpose-form]") : null;
  if (form && event.target.name === "purpose") { showPurposeFields(form); }
});

// A form with data-auto-submit sends itself once the page has loaded (the deep-linking answer
// to the learning platform); without script its button sends it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-auto-submit]").forEach(function (form) { form.submit(); });
});
