// The home page (工作台) asks now and then whether what it lists changed (a hand-off arrived, finance re-synced an
// invoice a customer waits on) and then reloads itself: the page holds no form, so nothing typed is lost. A file,
// not inline script, so the page works under the Content-Security-Policy (script-src 'self').
document.addEventListener("DOMContentLoaded", function () {
  var main = document.getElementById("content-main");
  if (!main || !main.getAttribute("data-state-url") || !window.fetch) { return; }
  var url = main.getAttribute("data-state-url"), known = main.getAttribute("data-state");
  var every = parseInt(main.getAttribute("data-poll-ms") || "30000", 10);
  setInterval(function () {
    if (document.hidden) { return; }  // a tab in the background asks once it is looked at again
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.state !== known) { window.location.reload(); } })
      .catch(function () { /* offline for a moment: ask again next time */ });
  }, every);
});
