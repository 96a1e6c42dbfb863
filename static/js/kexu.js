// Kexu's page script. No inline scripts anywhere: the Content-Security-Policy forbids them.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
