// WebAuthn for Portcullis pages: turns the JSON options the server produces into the
// ArrayBuffers navigator.credentials wants, and the credential back into JSON
// (base64url), then posts the page's form as usual.
//
// Markup it drives:
//   <form method="post" action="…" data-webauthn="create|get" data-options-url="…">
//     csrf_token (and any other) hidden fields
//     <input type="hidden" name="credential">
//     <p data-webauthn-error role="alert" hidden></p>
//     <button type="submit">…</button>
//   </form>
// On submit the form's fields are posted to data-options-url (same origin, CSRF header
// set); the answer is {"publicKey": {...}} (webauthn-rs' challenge JSON), optionally
// wrapped as {"options": {"publicKey": …}, "fields": {"name": "value"}} whose fields are
// copied into hidden inputs (e.g. a ceremony id) before the form is posted.
(function () {
  "use strict";

  function toBuffer(base64url) {
    var base64 = String(base64url).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function credentialList(list) {
    return (list || []).map(function (c) {
      var copy = Object.assign({}, c);
      copy.id = toBuffer(c.id);
      return copy;
    });
  }

  function creationOptions(publicKey) {
    var options = Object.assign({}, publicKey);
    options.challenge = toBuffer(publicKey.challenge);
    options.user = Object.assign({}, publicKey.user, { id: toBuffer(publicKey.user.id) });
    options.excludeCredentials = credentialList(publicKey.excludeCredentials);
    return options;
  }

  function requestOptions(publicKey) {
    var options = Object.assign({}, publicKey);
    options.challenge = toBuffer(publicKey.challenge);
    options.allowCredentials = credentialList(publicKey.allowCredentials);
    return options;
  }

  function extensions(credential) {
    try { return credential.getClientExtensionResults(); } catch (e) { return {}; }
  }

  function registrationJson(credential) {
    var response = credential.response;
    var transports = typeof response.getTransports === "function" ? response.getTransports() : undefined;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toBase64url(response.attestationObject),
        clientDataJSON: toBase64url(response.clientDataJSON),
        transports: transports
      },
      extensions: extensions(credential)
    };
  }

  function assertionJson(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toBase64url(response.authenticatorData),
        clientDataJSON: toBase64url(response.clientDataJSON),
        signature: toBase64url(response.signature),
        userHandle: toBase64url(response.userHandle)
      },
      extensions: extensions(credential)
    };
  }

  function setField(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  function showError(form, message) {
    var box = form.querySelector("[data-webauthn-error]");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  function explain(error) {
    if (error && error.name === "NotAllowedError") {
      return "The passkey request was cancelled or timed out. Try again, or use another method.";
    }
    if (error && error.name === "InvalidStateError") {
      return "This passkey is already registered for your account.";
    }
    return "Your browser could not use a passkey here (" + (error && error.name || "error") + ").";
  }

  async function ceremony(form) {
    var mode = form.getAttribute("data-webauthn");
    var csrf = form.querySelector('input[name="csrf_token"]');
    var answer = await fetch(form.getAttribute("data-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-csrf-token": csrf ? csrf.value : ""
      },
      body: new URLSearchParams(new FormData(form))
    });
    if (!answer.ok) throw new Error("options " + answer.status);
    var body = await answer.json();
    var options = body.options || body;
    var fields = body.fields || {};
    Object.keys(fields).forEach(function (name) { setField(form, name, fields[name]); });
    var credential;
    if (mode === "create") {
      credential = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
      setField(form, "credential", JSON.stringify(registrationJson(credential)));
    } else {
      credential = await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
      setField(form, "credential", JSON.stringify(assertionJson(credential)));
    }
    form.submit();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-webauthn")) return;
    event.preventDefault();
    if (!window.PublicKeyCredential) {
      showError(form, "This browser does not support passkeys. Use another method.");
      return;
    }
    if (form.dataset.busy === "1") return;
    form.dataset.busy = "1";
    ceremony(form).catch(function (error) {
      form.dataset.busy = "";
      if (error instanceof DOMException) showError(form, explain(error));
      else showError(form, "The passkey request failed. Reload the page and try again.");
    });
  });
})();
