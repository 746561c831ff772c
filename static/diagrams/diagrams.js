/* handbook — Mermaid diagrams. Progressive enhancement: each <pre data-diagram> holds a
   diagram's source, readable as it is without this script; with it (and mermaid.min.js, loaded
   before it) the source becomes a <figure class="diagram"> holding the drawn SVG, or a
   <div class="diagram-error"> saying why it could not be drawn. Light or dark follows
   prefers-color-scheme, and a change redraws. window.handbookDiagrams.render() draws again
   (a live-reloaded page); it returns a promise, as does window.handbookDiagrams.ready.

   The Content-Security-Policy allows no inline style (no 'unsafe-inline'): a <style> element
   or a style="…" attribute from markup is refused and reported, but the CSSOM
   (element.style.cssText, constructable stylesheets) is not. Mermaid draws each diagram in the
   live document (it measures its text there), with a <style> element and style attributes, then
   serialises it and runs DOMPurify on the string, which parses it again. So, only while
   mermaid.render runs, a guard makes mermaid's styles go through the CSSOM:
   - document.createElement("style") gives an inert stand-in whose CSS goes to a constructable
     stylesheet adopted by the document (mermaid scopes its rules with the SVG's id);
   - setAttribute("style", css) sets element.style.cssText, on the elements mermaid draws;
   - markup given to innerHTML (on those elements) or to DOMParser has its style attributes
     renamed data-handbook-style, turned back into element.style.cssText once parsed (its
     <style> elements, which only a diagram's text could put there, are dropped).
   Mermaid's result (a string) is parsed and imported the same way. The guard is removed when
   mermaid.render settles. */
(function () {
  "use strict";

  var mermaid = window.mermaid;
  if (!mermaid || typeof mermaid.render !== "function" || !canAdoptSheets()) {
    return; // the source stays readable as it is
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var HTML_NS = "http://www.w3.org/1999/xhtml";
  var STYLE_ATTR = "data-handbook-style";
  var STAND_IN = "handbook-style";
  var DARK = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  // Mermaid's dark theme puts edge labels in #ccc on #585858, 4.43:1: WCAG AA (and the site's
  // axe audit) wants 4.5:1 for text. #505050 gives 4.98:1 and looks the same.
  function darkVariables() {
    return { edgeLabelBackground: "#505050" };
  }

  var sources = new WeakMap(); // each <figure> or error box made here → its diagram's source
  var sheets = {}; // a drawn SVG's id → the stylesheet of its CSS
  var ID_PREFIX = "handbookDiagram-";
  var count = 0; // for unique ids
  var queue = Promise.resolve();
  var waiting = null; // a pass asked for and not started yet

  function canAdoptSheets() {
    try {
      new CSSStyleSheet().replaceSync("a{}");
      return "adoptedStyleSheets" in document && typeof DOMParser === "function" &&
        typeof WeakMap === "function";
    } catch (e) {
      return false;
    }
  }

  /* ---- the diagrams of the page: new sources, and what earlier passes made ---- */
  function targets() {
    var found = [];
    var nodes = document.querySelectorAll("pre[data-diagram], figure.diagram, div.diagram-error");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = node.matches("pre") ? node.textContent : sources.get(node);
      if (typeof source === "string") {
        found.push({ node: node, source: source });
      }
    });
    return found;
  }

  /* Every diagram of the page, one after the other (mermaid keeps global state). Passes asked
     for while one runs are merged into one more pass. */
  function render() {
    if (!waiting) {
      waiting = queue.then(pass);
      queue = waiting;
    }
    return waiting;
  }

  function pass() {
    waiting = null;
    var started = performance.now();
    var summary = { drawn: 0, failed: 0, ms: 0 };
    var dark = Boolean(DARK && DARK.matches);
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
      themeVariables: dark ? darkVariables() : {},
      // A syntax error throws, instead of drawing mermaid's error picture in the page.
      suppressErrorRendering: true
    });
    return targets().reduce(function (done, target) {
      return done.then(function () {
        return drawOne(target, summary);
      });
    }, Promise.resolve()).then(function () {
      dropUnusedSheets();
      summary.ms = Math.round(performance.now() - started);
      return summary;
    });
  }

  function drawOne(target, summary) {
    // Mermaid finds its SVG by this id, and prefixes the SVG's own ids with it: a capital
    // letter keeps it apart from the ids of headings, which are lower-case.
    var id = ID_PREFIX + (++count);
    var old = outermost(target.node);
    var box = scratchBox(old);
    var css = [];
    var release = guard(box, function (text) {
      css.push(text);
      adoptCss(id, css.join("\n"));
    });
    var placed = false;
    var drawing;
    try {
      drawing = Promise.resolve(mermaid.render(id, target.source, box));
    } catch (e) {
      drawing = Promise.reject(e);
    }
    return drawing.then(function (result) {
      release();
      var figure = figureFor(result);
      replace(old, figure);
      sources.set(figure, target.source);
      summary.drawn++;
      placed = true;
      if (typeof result.bindFunctions === "function") {
        result.bindFunctions(figure); // links' tooltips; no callbacks at securityLevel "strict"
      }
    }).catch(function (error) {
      release();
      if (placed) {
        return; // drawn, and only the extras failed: keep the drawing
      }
      dropSheet(id);
      var note = errorBox(target.source, error);
      replace(old, note);
      sources.set(note, target.source);
      summary.failed++;
    }).catch(function () {
      /* one diagram must not stop the others */
    }).then(function () {
      box.remove();
      removeStrays(id);
    });
  }

  /* Where mermaid draws and measures: beside the diagram (so the text has the same inherited
     font), as wide as the column, out of sight and out of the page's layout. */
  function scratchBox(near) {
    var box = document.createElement("div");
    box.setAttribute("aria-hidden", "true");
    box.style.cssText = "position:absolute;visibility:hidden;pointer-events:none;" +
      "height:0;overflow:hidden;width:" + Math.max(near.parentNode.clientWidth, 320) + "px";
    near.parentNode.insertBefore(box, near);
    return box;
  }

  /* Mermaid removes what it appended; whatever an exception left (its temporary <div>, an
     error picture) goes too, except the SVG just put in its figure. */
  function removeStrays(id) {
    ["d" + id, "i" + id, id].forEach(function (stray) {
      var node = document.getElementById(stray);
      if (node && !node.closest("figure.diagram")) {
        node.remove();
      }
    });
  }

  /* theme.js may have put a <pre> in its box with a Copy button: the box goes with it. */
  function outermost(node) {
    var wrapper = node.parentNode;
    if (node.matches("pre") && wrapper.classList.contains("code-block") &&
        Array.prototype.every.call(wrapper.children, function (child) {
          return child === node || child.matches("button");
        })) {
      return wrapper;
    }
    return node;
  }

  function replace(old, node) {
    var previous = old.querySelector("svg[id^='" + ID_PREFIX + "']");
    old.replaceWith(node);
    if (previous) {
      dropSheet(previous.id);
    }
  }

  /* ---- the drawn diagram ---- */
  function figureFor(result) {
    var parsed = new DOMParser().parseFromString(result.svg, "text/html");
    var svg = parsed.querySelector("svg");
    if (!svg) {
      throw new Error("Mermaid returned no SVG");
    }
    removeStyleElements(svg);
    svg = document.importNode(svg, true);
    restoreStyles(svg);

    var figure = document.createElement("figure");
    figure.className = "diagram";
    figure.setAttribute("data-diagram-type", result.diagramType || "");
    // An image to screen readers, named by the diagram's accTitle and described by its
    // accDescr; unless it has links (`click A href …`), which an image would hide: then the
    // SVG keeps the roles and names mermaid gave it.
    if (!svg.querySelector("a")) {
      figure.setAttribute("role", "img");
      var described = svg.getAttribute("aria-describedby");
      if (described && textOf(svg, "aria-describedby")) {
        figure.setAttribute("aria-describedby", described);
      }
    }
    figure.setAttribute("aria-label", textOf(svg, "aria-labelledby") || "Diagram");
    figure.appendChild(svg);
    return figure;
  }

  /* The text of the elements an IDREF attribute of the SVG names (its accTitle, accDescr). */
  function textOf(svg, attribute) {
    var ids = (svg.getAttribute(attribute) || "").split(/\s+/);
    return ids.map(function (one) {
      var node = one && svg.querySelector("[id='" + one.replace(/'/g, "\\'") + "']");
      return node ? node.textContent.trim() : "";
    }).filter(Boolean).join(" ");
  }

  /* ---- a diagram mermaid could not draw ---- */
  function errorBox(source, error) {
    var message = String((error && (error.message || error.str)) || error || "unknown error").trim();
    var lines = message.split("\n");
    var note = document.createElement("div");
    note.className = "diagram-error";
    note.setAttribute("role", "note");

    // Jison's messages ("Parse error on line 3:", the text before the error, a line of
    // dashes with a caret under it, what was expected) need a monospace font below the summary.
    var caret = lines.length > 2 && /^-*\^\s*$/.test(lines[2]);
    var title = element("p", "diagram-error-message");
    title.appendChild(element("strong", "", "This diagram could not be drawn:"));
    title.appendChild(document.createTextNode(" " + (caret ?
      lines.shift().replace(/:\s*$/, "") : lines.splice(0).join(" ").replace(/\s+/g, " "))));
    note.appendChild(title);
    if (caret) {
      var detail = element("pre", "diagram-error-detail", lines.join("\n"));
      // Focusable, so that a keyboard can scroll a line wider than the box (as code blocks).
      detail.tabIndex = 0;
      note.appendChild(detail);
    }

    var at = sourceLine(source, errorLine(error, message));
    if (at) {
      var where = element("p", "diagram-error-line", "Line " + at.number + " of the diagram: ");
      where.appendChild(element("code", "", at.text));
      note.appendChild(where);
    }

    var pre = element("pre", "diagram-error-source");
    pre.tabIndex = 0;
    var code = document.createElement("code");
    source.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n").forEach(function (text, i) {
      if (i > 0) {
        code.appendChild(document.createTextNode("\n"));
      }
      code.appendChild(at && i === at.number - 1 ? element("mark", "", text) : document.createTextNode(text));
    });
    pre.appendChild(code);
    note.appendChild(pre);
    return note;
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  /* The line of mermaid's code the error is on (1-based), if it says. */
  function errorLine(error, message) {
    var loc = error && error.hash && error.hash.loc;
    if (loc && loc.first_line > 0) {
      return loc.first_line;
    }
    var match = /\bline (\d+)/i.exec(message);
    return match ? Number(match[1]) : 0;
  }

  /* Mermaid numbers the lines of the code it parses, after it took out the front matter
     (--- … ---), the %% comment lines (with the blank lines before them) and the blank lines
     at the start: the same steps, to find the line in the source as written. */
  function sourceLine(source, line) {
    if (!(line > 0)) {
      return null;
    }
    var text = source.replace(/\r\n?/g, "\n");
    var all = text.split("\n");
    var first = 0;
    var front = /^([^\S\n\r]*)-{3}\s*[\n\r](.*?)[\n\r]\1-{3}\s*[\n\r]+/s.exec(text);
    if (front) {
      first = front[0].split("\n").length - 1;
    }
    var kept = [];
    for (var i = first; i < all.length; i++) {
      if (/^\s*%%(?!\{)./.test(all[i])) {
        while (kept.length && /^\s*$/.test(all[kept[kept.length - 1]])) {
          kept.pop();
        }
      } else {
        kept.push(i);
      }
    }
    while (kept.length && /^\s*$/.test(all[kept[0]])) {
      kept.shift();
    }
    var index = kept[line - 1];
    return index === undefined ? null : { number: index + 1, text: all[index] };
  }

  /* ---- stylesheets: one per drawn SVG, adopted by the document ---- */
  function adoptCss(id, text) {
    var sheet = sheets[id];
    if (!sheet) {
      sheet = sheets[id] = new CSSStyleSheet();
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    }
    sheet.replaceSync(text);
  }

  function dropSheet(id) {
    var sheet = sheets[id];
    if (sheet) {
      delete sheets[id];
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter(function (one) {
        return one !== sheet;
      });
    }
  }

  function dropUnusedSheets() {
    Object.keys(sheets).forEach(function (id) {
      if (!document.getElementById(id)) {
        dropSheet(id);
      }
    });
  }

  /* ---- inline styles as the CSSOM, for markup and for what mermaid draws ---- */

  /* Renames the style attributes of the start tags of some markup to data-handbook-style, and
     leaves its <style> elements out. Text outside tags is left alone (its "<" are escaped as
     "&lt;" in markup). Mermaid's own CSS never comes as markup (see standIn); a <style> in
     markup could only come from a diagram's text, in a label, which DOMPurify would remove (and
     the CSP block): taking it would let a label restyle the whole page. */
  function hideStyles(markup) {
    if (!/style/i.test(markup)) {
      return markup;
    }
    markup = markup.replace(/<style\b[^>]*>[\s\S]*?(?:<\/style\s*>|$)/gi, "");
    return markup.replace(/<[a-zA-Z][^\s\/>]*(?:[^>"']|"[^"]*"|'[^']*')*>/g, function (tag) {
      return tag.replace(/(\s)([^\s"'>\/=]+)(?=\s*=|[\s\/>])/g, function (all, space, name) {
        return name.toLowerCase() === "style" ? space + STYLE_ATTR : all;
      });
    });
  }

  /* data-handbook-style → element.style.cssText, in a tree. */
  function restoreStyles(root) {
    var nodes = Array.prototype.slice.call(root.querySelectorAll("[" + STYLE_ATTR + "]"));
    if (root.hasAttribute && root.hasAttribute(STYLE_ATTR)) {
      nodes.unshift(root);
    }
    nodes.forEach(function (node) {
      var css = node.getAttribute(STYLE_ATTR);
      node.removeAttribute(STYLE_ATTR);
      if (node.style) {
        node.style.cssText = css;
      }
    });
  }

  /* The stand-ins of mermaid's <style> (their CSS is in the sheet already). */
  function removeStyleElements(root) {
    Array.prototype.forEach.call(root.querySelectorAll("style, " + STAND_IN), function (node) {
      node.remove();
    });
  }

  function isStyle(name) {
    return String(name).toLowerCase() === "style";
  }

  /* Installs the guard described at the top for the elements mermaid draws: those in box, those
     made while the guard is on (mermaid also appends a <div> of its own to <body> for some
     layouts) and detached ones (which it fills before it appends them). Returns the function
     that removes the guard. */
  function guard(box, takeCss) {
    var E = Element.prototype;
    var D = Document.prototype;
    var P = DOMParser.prototype;
    var saved = {
      setAttribute: E.setAttribute,
      setAttributeNS: E.setAttributeNS,
      createElement: D.createElement,
      createElementNS: D.createElementNS,
      innerHTML: Object.getOwnPropertyDescriptor(E, "innerHTML"),
      parseFromString: P.parseFromString
    };
    var removed = false;
    var made = new WeakSet();

    function mine(node) {
      return made.has(node) || !node.isConnected || box.contains(node);
    }

    function standIn(doc) {
      var node = saved.createElement.call(doc, STAND_IN);
      var css = "";
      function set(text) {
        css = String(text);
        takeCss(css);
      }
      Object.defineProperty(node, "innerHTML", { configurable: true, get: function () { return css; }, set: set });
      Object.defineProperty(node, "textContent", { configurable: true, get: function () { return css; }, set: set });
      return node;
    }

    E.setAttribute = function (name, value) {
      if (isStyle(name) && this.style && mine(this)) {
        this.style.cssText = String(value);
        return undefined;
      }
      return saved.setAttribute.apply(this, arguments);
    };
    E.setAttributeNS = function (ns, name, value) {
      if (!ns && isStyle(name) && this.style && mine(this)) {
        this.style.cssText = String(value);
        return undefined;
      }
      return saved.setAttributeNS.apply(this, arguments);
    };
    D.createElement = function (name) {
      if (isStyle(name) && this === document) {
        return standIn(this);
      }
      var node = saved.createElement.apply(this, arguments);
      made.add(node);
      return node;
    };
    D.createElementNS = function (ns, name) {
      if (isStyle(String(name).split(":").pop()) && (ns === SVG_NS || ns === HTML_NS) && this === document) {
        return standIn(this);
      }
      var node = saved.createElementNS.apply(this, arguments);
      made.add(node);
      return node;
    };
    if (saved.innerHTML && saved.innerHTML.set) {
      Object.defineProperty(E, "innerHTML", {
        configurable: true,
        enumerable: saved.innerHTML.enumerable,
        get: saved.innerHTML.get,
        set: function (markup) {
          if (!mine(this)) {
            return saved.innerHTML.set.call(this, markup);
          }
          var safe = hideStyles(String(markup));
          saved.innerHTML.set.call(this, safe);
          if (safe.indexOf(STYLE_ATTR) >= 0) {
            restoreStyles(this);
          }
          return undefined;
        }
      });
    }
    // DOMPurify parses with DOMParser: the style attributes stay renamed in what it returns,
    // and are restored when that is put in the page (innerHTML above, or figureFor).
    P.parseFromString = function (markup, type) {
      return saved.parseFromString.call(this, hideStyles(String(markup)), type);
    };

    return function release() {
      if (removed) {
        return;
      }
      removed = true;
      E.setAttribute = saved.setAttribute;
      E.setAttributeNS = saved.setAttributeNS;
      D.createElement = saved.createElement;
      D.createElementNS = saved.createElementNS;
      if (saved.innerHTML) {
        Object.defineProperty(E, "innerHTML", saved.innerHTML);
      }
      P.parseFromString = saved.parseFromString;
    };
  }

  /* ---- start ---- */
  if (DARK) {
    var redraw = function () {
      render();
    };
    if (DARK.addEventListener) {
      DARK.addEventListener("change", redraw);
    } else if (DARK.addListener) {
      DARK.addListener(redraw);
    }
  }

  window.handbookDiagrams = {
    render: render,
    ready: render()
  };
})();
