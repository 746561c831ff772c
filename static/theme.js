/* handbook — default theme script. Progressive enhancement only: every page works without it. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  var OPEN_CLASS = "nav-open";
  var NARROW = window.matchMedia ? window.matchMedia("(max-width: 49.99rem)") : null;

  /* ---- mobile menu: the header's link to #sidebar becomes a disclosure button ---- */
  function setupMenu() {
    var button = document.querySelector("[data-menu-button]");
    var link = document.querySelector("[data-menu-link]");
    var sidebar = document.getElementById("handbook:sidebar");
    if (!button || !sidebar) {
      return;
    }

    button.hidden = false;
    if (link) {
      link.hidden = true;
    }

    function isOpen() {
      return button.getAttribute("aria-expanded") === "true";
    }

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      root.classList.toggle(OPEN_CLASS, open);
      if (open) {
        revealCurrent(sidebar);
      }
    }

    button.addEventListener("click", function () {
      setOpen(!isOpen());
    });

    document.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && isOpen()) {
        setOpen(false);
        button.focus();
      }
    });

    // A click outside the drawer (on the backdrop) closes it.
    document.addEventListener("click", function (event) {
      if (isOpen() && !sidebar.contains(event.target) && !button.contains(event.target)) {
        setOpen(false);
      }
    });

    // Following an in-page link from the drawer closes it.
    sidebar.addEventListener("click", function (event) {
      var a = event.target.closest ? event.target.closest("a") : null;
      if (a && isOpen()) {
        setOpen(false);
      }
    });

    // Back on a wide screen the drawer state no longer applies.
    if (NARROW) {
      var onChange = function (event) {
        if (!event.matches && isOpen()) {
          setOpen(false);
        }
      };
      if (NARROW.addEventListener) {
        NARROW.addEventListener("change", onChange);
      } else if (NARROW.addListener) {
        NARROW.addListener(onChange);
      }
    }

    if (window.location.hash === "#handbook:sidebar" && NARROW && NARROW.matches) {
      setOpen(true);
    }
  }

  /* ---- keep the current page visible in a long sidebar ---- */
  function revealCurrent(scroller) {
    if (!scroller) {
      return;
    }
    var current = scroller.querySelector('[aria-current="page"]');
    if (!current) {
      return;
    }
    var box = scroller.getBoundingClientRect();
    var item = current.getBoundingClientRect();
    if (box.height === 0) {
      return;
    }
    if (item.top < box.top || item.bottom > box.bottom) {
      scroller.scrollTop += item.top - box.top - box.height / 3;
    }
  }

  /* ---- "On this page": highlight the section being read ---- */
  function setupScrollSpy() {
    var toc = document.querySelector(".toc");
    if (!toc || !window.requestAnimationFrame) {
      return;
    }
    var links = toc.querySelectorAll('a[href^="#"]');
    var entries = [];
    for (var i = 0; i < links.length; i++) {
      var id;
      try {
        id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      } catch (e) {
        id = links[i].getAttribute("href").slice(1);
      }
      var heading = document.getElementById(id);
      if (heading) {
        entries.push({ link: links[i], heading: heading });
      }
    }
    if (entries.length === 0) {
      return;
    }

    var header = document.querySelector(".site-header");
    var active = null;
    function update() {
      var offset = (header ? header.offsetHeight : 0) + Math.min(window.innerHeight * 0.3, 160);
      var current = entries[0];
      for (var j = 0; j < entries.length; j++) {
        if (entries[j].heading.getBoundingClientRect().top - offset <= 0) {
          current = entries[j];
        } else {
          break;
        }
      }
      // Scrolled to the very bottom: the last heading is the one being read.
      var scrollHeight = document.documentElement.scrollHeight;
      if (window.scrollY > 0 && window.innerHeight + window.scrollY >= scrollHeight - 2) {
        current = entries[entries.length - 1];
      }
      if (current !== active) {
        if (active) {
          active.link.classList.remove("is-current");
        }
        current.link.classList.add("is-current");
        active = current;
      }
    }

    var scheduled = false;
    function schedule() {
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(function () {
          scheduled = false;
          update();
        });
      }
    }
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule, { passive: true });
    update();
  }

  /* ---- announcement bar: a reader may close it, until its text changes ---- */
  var DISMISSED_KEY = "handbook:announcement-dismissed";

  function setupAnnouncement() {
    var bar = document.querySelector("[data-announcement]");
    if (!bar) {
      return;
    }
    var id = bar.getAttribute("data-announcement");
    var dismissed = null;
    try {
      dismissed = window.localStorage.getItem(DISMISSED_KEY);
    } catch (e) {
      // Storage refused (private mode, blocked cookies): the bar closes for this page only.
    }
    if (dismissed === id) {
      bar.hidden = true;
      return;
    }
    var button = bar.querySelector("[data-announcement-close]");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      bar.hidden = true;
      try {
        window.localStorage.setItem(DISMISSED_KEY, id);
      } catch (e) {
        // As above.
      }
    });
  }

  /* ---- videos (the `video` shortcode): the link becomes the player when clicked; nothing is
     loaded from the video's host before ---- */
  function setupVideos() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-video-embed]") : null;
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      var frame = document.createElement("iframe");
      frame.src = link.getAttribute("data-video-embed");
      frame.title = link.getAttribute("data-video-title") || "Video";
      frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
      frame.allowFullscreen = true;
      var box = link.parentNode;
      box.replaceChild(frame, link);
      frame.focus();
    });
  }

  /* ---- code blocks: a "Copy" button on each, announced to screen readers ---- */
  function setupCopyButtons() {
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("data-copy-status", "");
    document.body.appendChild(status);
    var blocks = document.querySelectorAll(".prose pre");
    Array.prototype.forEach.call(blocks, function (pre) {
      if (pre.hasAttribute("data-diagram") || pre.closest(".code-block, .diagram, .diagram-error")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "code-block";
      pre.parentNode.insertBefore(box, pre);
      box.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy code");
      box.appendChild(button);
      var timer = null;
      button.addEventListener("click", function () {
        var code = pre.querySelector("code") || pre;
        copyText(code.innerText).then(function () {
          button.textContent = "Copied";
          button.setAttribute("data-copied", "");
          status.textContent = "";
          // A new text node, so that screen readers announce it each time.
          window.setTimeout(function () {
            status.textContent = "Copied";
          }, 30);
          window.clearTimeout(timer);
          timer = window.setTimeout(function () {
            button.textContent = "Copy";
            button.removeAttribute("data-copied");
          }, 2000);
        }, function () {
          button.textContent = "Press Ctrl+C";
          selectText(code);
        });
      });
    });
  }

  /* The clipboard API where the page may use it (https, localhost), else the old way. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (e) {
        done = false;
      }
      document.body.removeChild(area);
      if (done) {
        resolve();
      } else {
        reject(new Error("copy refused"));
      }
    });
  }

  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  /* ---- tables wider than the text scroll in their box: the keyboard can scroll them ---- */
  function setupTables() {
    var tables = document.querySelectorAll(".prose table");
    function check() {
      Array.prototype.forEach.call(tables, function (table) {
        var scrolls = table.scrollWidth > table.clientWidth + 1;
        if (scrolls) {
          table.setAttribute("data-scrolls", "");
          table.setAttribute("tabindex", "0");
        } else {
          table.removeAttribute("data-scrolls");
          table.removeAttribute("tabindex");
        }
      });
    }
    check();
    window.addEventListener("resize", check, { passive: true });
  }

  function init() {
    setupAnnouncement();
    setupVideos();
    setupCopyButtons();
    setupTables();
    setupMenu();
    if (!NARROW || !NARROW.matches) {
      revealCurrent(document.getElementById("handbook:sidebar"));
    }
    setupScrollSpy();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
