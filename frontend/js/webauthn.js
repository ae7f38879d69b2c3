// Passkeys and security keys (WebAuthn) for Wrekin's sign-in, step-up and "add a passkey" pages.
//
// The server renders a form marked data-webauthn="create" (register) or "get" (sign in), with
// the options from the `webauthn` Python library as JSON in data-webauthn-options (binary values
// base64url-encoded). This script asks the browser for a credential, encodes the answer the same
// way into the form's hidden `credential` field and submits the form; the server checks it.
//
// An external module, so the strict Content-Security-Policy needs no inline script. Without
// JavaScript, or in a browser without WebAuthn, the forms stay hidden and the authenticator-app
// code remains the way in.

const supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

function toBuffer(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes.buffer;
}

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function withIds(descriptors) {
  return (descriptors || []).map((descriptor) => ({ ...descriptor, id: toBuffer(descriptor.id) }));
}

function creationOptions(json) {
  return {
    ...json,
    challenge: toBuffer(json.challenge),
    user: { ...json.user, id: toBuffer(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  };
}

function requestOptions(json) {
  return { ...json, challenge: toBuffer(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

function encode(credential) {
  const response = credential.response;
  const encoded = {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  if (credential.authenticatorAttachment) {
    encoded.authenticatorAttachment = credential.authenticatorAttachment;
  }
  if (response.attestationObject) {
    encoded.response.attestationObject = toBase64url(response.attestationObject);
    encoded.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    encoded.response.authenticatorData = toBase64url(response.authenticatorData);
    encoded.response.signature = toBase64url(response.signature);
    if (response.userHandle) {
      encoded.response.userHandle = toBase64url(response.userHandle);
    }
  }
  return encoded;
}

function explain(error, mode) {
  if (error && error.name === "InvalidStateError" && mode === "create") {
    return "That passkey or security key is already added to your account.";
  }
  if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
    return "The passkey request was cancelled or timed out. Try again, or use the code from your authenticator app.";
  }
  return "Your browser could not use a passkey. Try again, or use the code from your authenticator app.";
}

function showError(form, message) {
  const box = form.querySelector("[data-webauthn-error]");
  if (!box) {
    return;
  }
  box.textContent = "";
  const prefix = document.createElement("span");
  prefix.className = "govuk-visually-hidden";
  prefix.textContent = "Error: ";
  box.append(prefix, message);
  box.hidden = false;
  box.setAttribute("role", "alert");
}

function start(form) {
  const mode = form.dataset.webauthn;
  let options;
  try {
    options = JSON.parse(form.dataset.webauthnOptions || "");
  } catch {
    return; // no usable options: leave the form hidden, the code form still works
  }
  const credentialField = form.querySelector("[data-webauthn-credential], input[name='credential']");
  const button = form.querySelector("button[type='submit']");
  let busy = false;

  form.addEventListener("submit", async (event) => {
    if (credentialField.value) {
      return; // the answer is in: let the form post
    }
    const name = form.querySelector("input[name='name']");
    if (mode === "create" && name && !name.value.trim()) {
      return; // let the server say a name is needed; nothing is lost
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.setAttribute("aria-disabled", "true");
    try {
      const credential =
        mode === "create"
          ? await navigator.credentials.create({ publicKey: creationOptions(options) })
          : await navigator.credentials.get({ publicKey: requestOptions(options) });
      credentialField.value = JSON.stringify(encode(credential));
      form.submit();
    } catch (error) {
      showError(form, explain(error, mode));
      button.removeAttribute("aria-disabled");
      busy = false;
    }
  });

  // Reveal the passkey option now that it can work.
  const container = form.closest("[data-wrekin-passkey]") || form;
  container.hidden = false;
  form.hidden = false;
  for (const fallback of document.querySelectorAll("[data-webauthn-fallback]")) {
    fallback.hidden = true;
  }
}

if (supported) {
  for (const form of document.querySelectorAll("form[data-webauthn]")) {
    start(form);
  }
}
