// The incident desk asks every 20 seconds whether the incident changed behind the page (a re-sync by finance, a
// colleague's note, a review): when it did, it shows the refresh hint. A file, not inline script, so the page works
// under the Content-Security-Policy (script-src 'self'). Nothing is reloaded by itself: a half-typed form stays.
document.addEventListener("DOMContentLoaded", function () {
  var desk = document.getElementById("incident-desk");
  var hint = document.getElementById("desk-refresh");
  if (!desk || !hint || !window.fetch) { return; }
  var url = desk.getAttribute("data-state-url"), known = desk.getAttribute("data-state");
  var every = parseInt(desk.getAttribute("data-poll-ms") || "20000", 10);
  var timer = setInterval(function () {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state !== known) {
          hint.hidden = false;
          clearInterval(timer);
        }
      })
      .catch(function () { /* offline for a moment: ask again next time */ });
  }, every);
});
