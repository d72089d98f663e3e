// Starts Swagger UI on /docs. A static file, not an inline script, so the page runs
// under the site's Content-Security-Policy (script-src 'self').
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
})();
