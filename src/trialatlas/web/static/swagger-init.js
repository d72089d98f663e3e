// Starts Swagger UI on /docs. A static file, not an inline script, so the page runs
// under the site's Content-Security-Policy (script-src 'self'). It also names the inputs
// Swagger UI leaves unlabelled (see label() below).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: false, // a link inside each operation's toggle button is a nested control (axe)
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    tryItOutEnabled: true,
    presets: [
      window.SwaggerUIBundle.presets.apis,
      window.SwaggerUIBundle.SwaggerUIStandalonePreset
    ]
  });

  // Swagger UI draws "Try it out" inputs without labels (a parameter's menu, the request
  // body, the examples menu): each gets a name from its parameter or its role, so a
  // screen reader says what it is for.
  function hasName(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) {
      return true;
    }
    if (el.id && document.querySelector('label[for="' + el.id + '"]')) {
      return true;
    }
    return !!el.closest("label");
  }

  function nameOf(el) {
    var row = el.closest("[data-param-name]");
    if (row) {
      var where = row.getAttribute("data-param-in");
      return row.getAttribute("data-param-name") + (where ? " (" + where + ")" : "");
    }
    if (el.classList.contains("examples-select-element")) {
      return "Example";
    }
    if (el.classList.contains("body-param__text")) {
      return "Request body (JSON)";
    }
    if (el.closest(".body-param-content-type, .content-type-wrapper")) {
      return "Media type";
    }
    if (el.closest(".response-controls, .responses-wrapper")) {
      return "Response media type";
    }
    return el.getAttribute("placeholder") || el.getAttribute("title") || "Value";
  }

  function label(scope) {
    var controls = scope.querySelectorAll("input, select, textarea");
    for (var i = 0; i < controls.length; i += 1) {
      var el = controls[i];
      if (el.type !== "hidden" && !hasName(el)) {
        el.setAttribute("aria-label", nameOf(el));
      }
    }
  }

  label(root);
  new MutationObserver(function () {
    label(root);
  }).observe(root, { childList: true, subtree: true });
})();
