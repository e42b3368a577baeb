// Waits for the Portcullis Authenticator answer without a polling storm: one long
// request at a time (the server holds it until the push is answered or ~20 s pass),
// backing off on network errors. When the push is settled, the wait form is submitted
// and the server moves the sign-in on. Without this script the Continue button does it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-push-wait]");
  if (!form || !window.fetch) return;
  var statusUrl = form.getAttribute("data-status-url");
  var tokenField = form.querySelector("input[name=csrf_token]");
  var status = document.querySelector("[data-push-status]");
  var body = new URLSearchParams(new FormData(form)).toString();
  var failures = 0;
  var done = false;

  function finish() {
    if (done) return;
    done = true;
    if (status) status.textContent = "Answer received. Signing you in…";
    form.submit();
  }

  function poll() {
    if (done) return;
    fetch(statusUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-csrf-token": tokenField ? tokenField.value : ""
      },
      body: body
    }).then(function (response) {
      if (!response.ok && response.status !== 400) throw new Error("status " + response.status);
      return response.json();
    }).then(function (answer) {
      failures = 0;
      if (answer.state === "pending") poll(); else finish();
    }).catch(function () {
      // The server or the network is away: try again later, never in a tight loop.
      failures += 1;
      window.setTimeout(poll, Math.min(30000, 1000 * Math.pow(2, failures)));
    });
  }

  // Leaving the page (another method, back) stops waiting.
  window.addEventListener("pagehide", function () { done = true; });
  poll();
})();
