// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // A second click on "Sign in" must not post the form twice (the second post would
  // race the first on the same sign-in step and fail with a confusing error).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-webauthn")) return;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
  });
  // Coming back with the Back button restores the page as it was, flag included.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted], form[data-busy]").forEach(function (form) {
      delete form.dataset.submitted;
      delete form.dataset.busy;
    });
  });
  // After signing in for another host, go on at once (the link stays for no-JS users).
  // A navigation, unlike the form post's redirect, is not bound by form-action 'self'.
  var onward = document.querySelector("a[data-auto-continue]");
  if (onward) window.location.assign(onward.href);
  // Buttons that remove something ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
