/**
 * The editor's one script, a progressive enhancement: next to every secret shown once (an
 * `<input readonly data-copy>`), a "Copy" button that puts it on the clipboard. Without
 * script, or without clipboard access, the secret stays a read-only field to select and copy.
 * Served same-origin (editor pages allow `script-src 'self'`; public pages allow no script).
 */
export const EDITOR_JS_PATH = "/assets/editor.js";

export const EDITOR_JS = `"use strict";
document.querySelectorAll("input[data-copy]").forEach(function (input) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "secondary copy";
  button.textContent = "Copy";
  button.setAttribute("aria-describedby", input.id);
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(
      function () { button.textContent = "Copied"; },
      function () { input.select(); button.textContent = "Select and copy it"; }
    );
  });
  input.insertAdjacentElement("afterend", button);
});
`;
