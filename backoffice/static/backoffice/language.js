// The language menu submits itself when changed: a file, not an inline onchange, so the page works under the
// Content-Security-Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
