/* handbook — the page at an old address (an alias) sends the reader on to the page's new URL,
   keeping the #fragment. The new URL is the `data-redirect-to` attribute of <html>; without
   this script, <meta http-equiv="refresh"> does the same, without the fragment. An external
   file, not an inline script: the site's Content-Security-Policy allows only those. */
(function () {
  "use strict";
  var to = document.documentElement.getAttribute("data-redirect-to");
  if (to) {
    location.replace(to + location.hash);
  }
})();
