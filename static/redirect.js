/* handbook — the page at an old address (an alias, or a page with `redirect_to`) sends the
   reader on to the new URL, keeping the #fragment, unless the new URL has its own. The new URL
   is the `data-redirect-to` attribute of <html>; without this script, <meta
   http-equiv="refresh"> does the same, without the fragment. An external file, not an inline
   script: the site's Content-Security-Policy allows only those. */
(function () {
  "use strict";
  var to = document.documentElement.getAttribute("data-redirect-to");
  if (to) {
    location.replace(to.indexOf("#") < 0 ? to + location.hash : to);
  }
})();
