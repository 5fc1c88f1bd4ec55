// Interactive API docs (Swagger UI): the document URL comes from the page, no inline script.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: container.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    // A signed-in staff member's session cookie is sent along; tokens go in "Authorize".
    withCredentials: true,
    persistAuthorization: false,
  });
});
