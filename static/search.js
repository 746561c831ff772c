/* handbook — search: the search box in the header of every page and the /search/ page, both
   reading the index the build writes (docs/search.md). Progressive enhancement: without this
   script the header's box is a plain form that opens /search/?q=…, which says that search needs
   JavaScript.

   The header's box is an ARIA 1.2 combobox: focus stays in the input, the arrow keys move
   through the options of its listbox (aria-activedescendant), Enter opens the highlighted result
   (or the first one), Escape closes the list and a second Escape empties the box. A polite live
   region says how many results there are. "/" anywhere outside a field focuses the box. */
(function () {
  "use strict";

  if (!window.fetch || !window.Map || !window.Set || !String.prototype.normalize || !window.TextEncoder) {
    return;
  }

  /* ---- ranking: see "Query" below */
  var HEADER_LIMIT = 8; // results in the header's list
  var PAGE_LIMIT = 50; // results on the search page
  var PER_PAGE = 3; // records of one page among the results, at most
  var PREFIX_FACTOR = 0.6; // a word that only starts with the query's word
  var ELSEWHERE_FACTOR = 0.1; // a word matched elsewhere on the page, not in this section
  var EXCERPT_BEFORE = 8; // words of context before the first match
  var EXCERPT_AFTER = 20; // and after it

  /* ---- text: folded and cut into tokens exactly as the build does (src/search/mod.rs) */
  var MARKS = /\p{M}/gu;
  var TOKEN = /[\p{L}\p{N}]+/gu;
  // A run of letters, digits and the marks that go with them: one or more tokens once folded.
  var RUN = /[\p{L}\p{N}\p{M}]+/gu;
  var PLAIN = /^[A-Za-z0-9]*$/;

  function fold(text) {
    return text.normalize("NFD").replace(MARKS, "").toLowerCase();
  }

  function foldRun(run) {
    return PLAIN.test(run) ? run.toLowerCase() : fold(run);
  }

  function codePoints(text) {
    return Array.from(text);
  }

  /* The query's words that the index can have: folded, without repeats, of 2 characters or
     more (the index leaves out words of 1). */
  function queryTerms(query) {
    var seen = new Set();
    (fold(query).match(TOKEN) || []).forEach(function (token) {
      if (codePoints(token).length >= 2) {
        seen.add(token);
      }
    });
    return Array.from(seen);
  }

  /* The shard of a word: FNV-1a (32 bits) of the UTF-8 bytes of its first 3 characters. */
  var utf8 = new TextEncoder();

  function shardOf(term, shards) {
    var bytes = utf8.encode(codePoints(term).slice(0, 3).join(""));
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes[i];
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % shards;
  }

  /* ---- the index: meta.json, then shards and page files as queries need them */
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": HTTP " + response.status);
      }
      return response.json();
    });
  }

  // One promise per key, forgotten if it fails so that a later query tries again.
  function once(cache, key, load) {
    var promise = cache.get(key);
    if (!promise) {
      promise = load();
      cache.set(key, promise);
      promise.catch(function () {
        if (cache.get(key) === promise) {
          cache.delete(key);
        }
      });
    }
    return promise;
  }

  function Index(base) {
    this.base = base;
    this.meta = null;
    this.loading = new Map();
    this.shards = new Map();
    this.pages = new Map();
  }

  Index.prototype.ready = function () {
    var self = this;
    return once(this.loading, "meta", function () {
      return getJSON(self.base + "meta.json").then(function (meta) {
        if (!meta || meta.version !== 1 || !(meta.shards > 0)) {
          throw new Error("unknown search index format");
        }
        self.meta = meta;
        return meta;
      });
    });
  };

  // Every other file carries the build's id: a new deploy is never read from an old cache.
  Index.prototype.url = function (path) {
    return this.base + path + "?v=" + encodeURIComponent(this.meta.build);
  };

  Index.prototype.shard = function (number) {
    var self = this;
    return once(this.shards, number, function () {
      return getJSON(self.url("s/" + number + ".json")).then(function (data) {
        var words = new Map(Object.entries(data.w || {}));
        return { words: words, list: Array.from(words.keys()), postings: data.p || [] };
      });
    });
  };

  Index.prototype.page = function (id) {
    var self = this;
    return once(this.pages, id, function () {
      return getJSON(self.url("p/" + id + ".json"));
    });
  };

  /* ---- query

     Each word of the query matches the words of the index that start with it (as you type),
     fully when it is the whole word or has the same stem, at PREFIX_FACTOR otherwise. A page
     qualifies when every word matches somewhere in it; its sections where at least one word
     matches are results, scored by the weights of the index (title 8, heading 4, up to 3 for
     the text), a word matched elsewhere on the page counting ELSEWHERE_FACTOR of its best
     there, each word weighted by its rarity. At most PER_PAGE sections of a page; the best
     `limit` are kept, and counted all. Resolves to null when the query has no word of 2
     characters or more.

     A common word has postings on most pages of a large handbook: this runs on every
     keystroke, so it works on typed arrays indexed by page, keeps each word's matches for the
     next keystroke, and selects the best results without sorting them all. */
  Index.prototype.search = function (query, limit) {
    var self = this;
    var terms = queryTerms(query);
    if (terms.length === 0) {
      return Promise.resolve(null);
    }
    return this.ready()
      .then(function (meta) {
        return Promise.all(
          terms.map(function (term) {
            return self.shard(shardOf(term, meta.shards));
          })
        );
      })
      .then(function (shards) {
        var matches = terms.map(function (term, i) {
          return self.match(term, shards[i]);
        });
        return rank(terms, matches, self.meta.pages, limit);
      });
  };

  var REMEMBERED_TERMS = 8;

  // What one word of the query matches, remembered for the next keystrokes.
  Index.prototype.match = function (term, shard) {
    if (!this.matches) {
      this.matches = new Map();
    }
    var match = this.matches.get(term);
    if (match) {
      this.matches.delete(term);
    } else {
      match = matchTerm(term, shard, this.meta.pages);
      if (this.matches.size >= REMEMBERED_TERMS) {
        this.matches.delete(this.matches.keys().next().value);
      }
    }
    this.matches.set(term, match);
    return match;
  };

  /* The sections one word matches, grouped by page: parallel arrays of page, section and score
     (the best over the matched words), with where each page's run starts and ends; the best
     score on each page, the pages in the order met, the word's weight (rarity) and the words
     to highlight. */
  function matchTerm(term, shard, pageCount) {
    var documents = Math.max(pageCount, 1) * 5;
    var stems = new Map(); // stem -> factor
    var exact = shard.words.has(term) ? shard.words.get(term) : -1;
    if (codePoints(term).length < 3) {
      // A word of 2 characters is its own key: only the word itself is in its shard.
      if (exact >= 0) {
        stems.set(exact, 1);
      }
    } else {
      shard.list.forEach(function (word) {
        if (word.startsWith(term)) {
          var stem = shard.words.get(word);
          var factor = word === term || stem === exact ? 1 : PREFIX_FACTOR;
          if (!(stems.get(stem) >= factor)) {
            stems.set(stem, factor);
          }
        }
      });
    }
    // Every word that shares a matched stem is highlighted ("runs" finds "running").
    var words = [];
    if (stems.size > 0) {
      shard.list.forEach(function (word) {
        if (stems.has(shard.words.get(word))) {
          words.push(word);
        }
      });
    }

    var weight = 0;
    var size = 0;
    var lists = [];
    stems.forEach(function (factor, stem) {
      var postings = shard.postings[stem] || [];
      var count = Math.floor(postings.length / 3);
      if (count > 0) {
        weight = Math.max(weight, 1 + 0.1 * Math.log(1 + documents / count));
        lists.push({ postings: postings, factor: factor });
        size += count;
      }
    });

    // Every posting of every stem: each list is by page, but not the lists together.
    var pages = new Int32Array(size);
    var sections = new Int32Array(size);
    var scores = new Float64Array(size);
    var best = new Float64Array(pageCount);
    var matched = [];
    var n = 0;
    lists.forEach(function (list) {
      var postings = list.postings;
      var page = 0;
      for (var i = 0; i + 2 < postings.length; i += 3) {
        page += postings[i];
        var score = postings[i + 2] * list.factor;
        if (page >= pageCount || !(score > 0)) {
          continue;
        }
        pages[n] = page;
        sections[n] = postings[i + 1];
        scores[n] = score;
        n++;
        if (best[page] === 0) {
          matched.push(page);
        }
        if (score > best[page]) {
          best[page] = score;
        }
      }
    });

    // Grouped by page, in the order met, a section once (with its best score).
    var from = new Int32Array(pageCount);
    var to = new Int32Array(pageCount);
    if (lists.length > 1) {
      var first = new Int32Array(pageCount).fill(-1);
      var next = new Int32Array(n);
      for (var j = n - 1; j >= 0; j--) {
        next[j] = first[pages[j]];
        first[pages[j]] = j;
      }
      var byPage = { pages: new Int32Array(n), sections: new Int32Array(n), scores: new Float64Array(n) };
      var m = 0;
      matched.forEach(function (page) {
        var start = m;
        for (var j = first[page]; j >= 0; j = next[j]) {
          var k = start;
          while (k < m && byPage.sections[k] !== sections[j]) {
            k++;
          }
          if (k < m) {
            if (scores[j] > byPage.scores[k]) {
              byPage.scores[k] = scores[j];
            }
          } else {
            byPage.pages[m] = page;
            byPage.sections[m] = sections[j];
            byPage.scores[m] = scores[j];
            m++;
          }
        }
        from[page] = start;
        to[page] = m;
      });
      pages = byPage.pages;
      sections = byPage.sections;
      scores = byPage.scores;
      n = m;
    } else {
      for (var i = 0; i < n; i++) {
        if (i === 0 || pages[i] !== pages[i - 1]) {
          from[pages[i]] = i;
        }
        to[pages[i]] = i + 1;
      }
    }
    return {
      sections: sections,
      scores: scores,
      from: from,
      to: to,
      best: best,
      matched: matched,
      weight: weight,
      words: words,
    };
  }

  function rank(terms, matches, pageCount, limit) {
    var words = new Set();
    matches.forEach(function (match) {
      match.words.forEach(function (word) {
        words.add(word);
      });
    });

    // The pages every word matches.
    var fewest = matches.reduce(function (a, b) {
      return b.matched.length < a.matched.length ? b : a;
    });
    var pages = fewest.matched.filter(function (page) {
      for (var t = 0; t < matches.length; t++) {
        if (matches[t].best[page] === 0) {
          return false;
        }
      }
      return true;
    });

    // The best `limit` results in order (higher score first, then by page, then by section),
    // and how many there are.
    var top = [];
    var total = 0;
    function keep(page, section, score) {
      total++;
      var i = top.length;
      if (i === limit) {
        var last = top[limit - 1];
        if (!before(score, page, section, last.score, last.page, last.section)) {
          return;
        }
        i = limit - 1;
      }
      while (i > 0 && before(score, page, section, top[i - 1].score, top[i - 1].page, top[i - 1].section)) {
        top[i] = top[i - 1];
        i--;
      }
      top[i] = { page: page, section: section, score: score };
    }

    // Page by page: the sections where some word is, each word's own score there (0: the
    // word is elsewhere on the page), the score, the best PER_PAGE of them.
    var count = matches.length;
    var own = [];
    var sections = [];
    var scores = [];
    var chosen = [];
    pages.forEach(function (page) {
      sections.length = 0;
      scores.length = 0;
      if (count === 1) {
        var only = matches[0];
        for (var i = only.from[page]; i < only.to[page]; i++) {
          sections.push(only.sections[i]);
          scores.push(only.scores[i] * only.weight);
        }
      } else {
        own.length = 0;
        for (var t = 0; t < count; t++) {
          var match = matches[t];
          for (var j = match.from[page]; j < match.to[page]; j++) {
            var k = sections.indexOf(match.sections[j]);
            if (k < 0) {
              k = sections.length;
              sections.push(match.sections[j]);
              for (var u = 0; u < count; u++) {
                own.push(0);
              }
            }
            own[k * count + t] = match.scores[j];
          }
        }
        for (var r = 0; r < sections.length; r++) {
          var score = 0;
          for (var v = 0; v < count; v++) {
            var mine = own[r * count + v];
            score += (mine > 0 ? mine : ELSEWHERE_FACTOR * matches[v].best[page]) * matches[v].weight;
          }
          scores.push(score);
        }
      }
      // The page's best PER_PAGE, in order.
      chosen.length = 0;
      for (var c = 0; c < sections.length; c++) {
        var at = chosen.length;
        while (at > 0 && before(scores[c], page, sections[c], scores[chosen[at - 1]], page, sections[chosen[at - 1]])) {
          at--;
        }
        if (at < PER_PAGE) {
          chosen.splice(at, 0, c);
          if (chosen.length > PER_PAGE) {
            chosen.pop();
          }
        }
      }
      for (var w = 0; w < chosen.length; w++) {
        keep(page, sections[chosen[w]], scores[chosen[w]]);
      }
    });

    return {
      words: words,
      prefixes: terms.filter(function (term) {
        return codePoints(term).length >= 3;
      }),
      total: total,
      results: top,
    };
  }

  // Whether a result (score, page, section) comes before another.
  function before(score, page, section, score2, page2, section2) {
    return score > score2 || (score === score2 && (page < page2 || (page === page2 && section < section2)));
  }

  /* ---- showing a result: title, heading, trail and an excerpt, the query's words marked */

  // Whether a run of the text is a word the query found.
  function isHit(run, found) {
    var tokens = foldRun(run).match(TOKEN) || [];
    for (var i = 0; i < tokens.length; i++) {
      if (found.words.has(tokens[i])) {
        return true;
      }
      for (var j = 0; j < found.prefixes.length; j++) {
        if (tokens[i].startsWith(found.prefixes[j])) {
          return true;
        }
      }
    }
    return false;
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

  // Appends text[from, to) to parent, the runs of `runs` that are hits in <mark>.
  function appendMarked(parent, text, runs, from, to) {
    var at = from;
    runs.forEach(function (run) {
      if (!run.hit || run.start < from || run.end > to) {
        return;
      }
      if (run.start > at) {
        parent.appendChild(document.createTextNode(text.slice(at, run.start)));
      }
      parent.appendChild(element("mark", "", text.slice(run.start, run.end)));
      at = run.end;
    });
    if (to > at) {
      parent.appendChild(document.createTextNode(text.slice(at, to)));
    }
  }

  function runsOf(text, found) {
    var runs = [];
    var match;
    RUN.lastIndex = 0;
    while ((match = RUN.exec(text)) !== null) {
      runs.push({ start: match.index, end: match.index + match[0].length, hit: isHit(match[0], found) });
    }
    return runs;
  }

  function appendHighlighted(parent, text, found) {
    appendMarked(parent, text, runsOf(text, found), 0, text.length);
  }

  // About EXCERPT_BEFORE words before the first hit and EXCERPT_AFTER after it, or the start of
  // the text when the words matched only the title or the heading.
  function appendExcerpt(parent, text, found) {
    var runs = [];
    var first = -1;
    var more = false;
    var match;
    RUN.lastIndex = 0;
    while ((match = RUN.exec(text)) !== null) {
      if (first >= 0 && runs.length > first + EXCERPT_AFTER) {
        more = true;
        break;
      }
      var run = { start: match.index, end: match.index + match[0].length, hit: isHit(match[0], found) };
      runs.push(run);
      if (first < 0 && run.hit) {
        first = runs.length - 1;
      }
    }
    if (runs.length === 0) {
      parent.appendChild(document.createTextNode(text.trim()));
      return;
    }
    var start = first >= 0 ? Math.max(0, first - EXCERPT_BEFORE) : 0;
    var last = first >= 0 ? first + EXCERPT_AFTER : EXCERPT_BEFORE + EXCERPT_AFTER;
    if (last < runs.length - 1) {
      more = true;
    }
    last = Math.min(last, runs.length - 1);
    var from = start === 0 ? 0 : runs[start].start;
    var to = more ? runs[last].end : text.length;
    var shown = runs.slice(start, last + 1);
    if (start > 0) {
      parent.appendChild(document.createTextNode("… "));
    }
    // Leading and trailing space of the text itself are not shown.
    while (from < to && /\s/.test(text[from])) {
      from++;
    }
    while (to > from && /\s/.test(text[to - 1])) {
      to--;
    }
    appendMarked(parent, text, shown, from, to);
    if (more) {
      parent.appendChild(document.createTextNode(" …"));
    }
  }

  // The parts of a result, from its page file.
  function describe(result, page) {
    var record = (page.r && page.r[result.section]) || ["", "", ""];
    var anchor = record[0] || "";
    return {
      url: anchor ? page.u + "#" + encodeURIComponent(anchor) : page.u,
      title: page.t || page.u,
      trail: page.s || "",
      heading: record[1] || "",
      text: record[2] || "",
    };
  }

  // Fills `into` (a link) with the title, the heading, the trail and the excerpt of a result.
  function fillResult(into, view, found) {
    var head = element("span", "search-result__head");
    var title = element("span", "search-result__title");
    appendHighlighted(title, view.title, found);
    head.appendChild(title);
    if (view.heading) {
      var separator = element("span", "search-result__sep", "›");
      separator.setAttribute("aria-hidden", "true");
      head.appendChild(separator);
      var heading = element("span", "search-result__heading");
      appendHighlighted(heading, view.heading, found);
      head.appendChild(heading);
    }
    into.appendChild(head);
    if (view.trail) {
      into.appendChild(element("span", "search-result__trail", view.trail));
    }
    if (view.text) {
      var excerpt = element("span", "search-result__excerpt");
      appendExcerpt(excerpt, view.text, found);
      into.appendChild(excerpt);
    }
  }

  function countText(count, query) {
    return (count === 1 ? "1 result" : count + " results") + " for “" + query.trim() + "”";
  }

  function noneText(query) {
    return "No results for “" + query.trim() + "”";
  }

  var UNAVAILABLE = "Search is not available right now. Try again in a moment.";

  /* Runs queries for one input: only the latest query's results are shown; `show(query, found,
     views)` gets them (found null for a query without words to look for), `fail(query)` is
     called when the index cannot be read. A long list is shown in two goes: the first
     FIRST_SHOWN results as soon as their page files are there, then all of them (`show` is
     called again with the same `found` and more views). */
  var FIRST_SHOWN = HEADER_LIMIT;

  function Searcher(index, limit, show, fail) {
    var latest = 0;
    this.pending = false;
    var self = this;

    function views(results) {
      return Promise.all(
        results.map(function (result) {
          return index.page(result.page);
        })
      ).then(function (pages) {
        return results.map(function (result, i) {
          return describe(result, pages[i]);
        });
      });
    }

    this.run = function (query) {
      var mine = ++latest;
      var done = false;
      self.pending = true;
      function current() {
        return mine === latest && !done;
      }
      index
        .search(query, limit)
        .then(function (found) {
          if (!current()) {
            return null;
          }
          if (!found) {
            done = true;
            self.pending = false;
            show(query, null, []);
            return null;
          }
          if (found.results.length > FIRST_SHOWN) {
            views(found.results.slice(0, FIRST_SHOWN)).then(function (first) {
              if (current()) {
                self.pending = false;
                show(query, found, first);
              }
            }, ignore);
          }
          return views(found.results).then(function (all) {
            if (current()) {
              done = true;
              self.pending = false;
              show(query, found, all);
            }
          });
        })
        .catch(function () {
          if (current()) {
            done = true;
            self.pending = false;
            fail(query);
          }
        });
    };
  }

  function searchUrl(page, query) {
    return page + "?q=" + encodeURIComponent(query.trim());
  }

  function ignore() {}

  /* ---- the search box in the header: a combobox with a listbox of results */
  function setupHeader(form, index) {
    var input = form.querySelector(".search-box__input");
    var popup = form.querySelector(".search-popup");
    var list = form.querySelector(".search-popup__list");
    var message = form.querySelector(".search-popup__message");
    var status = form.querySelector("[role=status]");
    if (!input || !popup || !list || !message || !status) {
      return null;
    }
    var key = form.querySelector(".search-box__key");
    if (key) {
      key.hidden = false;
    }
    var page = form.getAttribute("action");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-keyshortcuts", "/");

    var options = [];
    var active = -1;
    var shownQuery = null; // the query whose results the list holds
    var hasContent = false; // results or a message to show
    var openOnResults = false; // Enter was pressed before the results came

    function open() {
      if (!hasContent) {
        return;
      }
      popup.hidden = false;
      input.setAttribute("aria-expanded", options.length > 0 ? "true" : "false");
    }

    function close() {
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function isOpen() {
      return !popup.hidden;
    }

    function setActive(i) {
      if (active >= 0 && options[active]) {
        options[active].removeAttribute("aria-selected");
        options[active].classList.remove("is-active");
      }
      active = i;
      if (i >= 0 && options[i]) {
        options[i].setAttribute("aria-selected", "true");
        options[i].classList.add("is-active");
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function clear() {
      options = [];
      list.replaceChildren();
      list.hidden = true;
      message.hidden = true;
      message.textContent = "";
      hasContent = false;
      setActive(-1);
    }

    function option(id, href) {
      var a = element("a", "search-result");
      a.id = id;
      a.href = href;
      a.tabIndex = -1;
      a.setAttribute("role", "option");
      return a;
    }

    function say(text) {
      if (status.textContent !== text) {
        status.textContent = text;
      }
    }

    function show(query, found, views) {
      clear();
      shownQuery = query;
      if (!found) {
        openOnResults = false;
        say("");
        close();
        return;
      }
      var total = found.total;
      views.forEach(function (view, i) {
        var a = option("handbook:search-option-" + i, view.url);
        fillResult(a, view, found);
        list.appendChild(a);
        options.push(a);
      });
      if (total > 0) {
        var all = option("handbook:search-option-all", searchUrl(page, query));
        all.classList.add("search-result--all");
        all.textContent = total > views.length ? "See all " + total + " results" : "See all results";
        list.appendChild(all);
        options.push(all);
        list.hidden = false;
        say(countText(total, query));
      } else {
        message.textContent = noneText(query);
        message.hidden = false;
        say(noneText(query));
      }
      hasContent = true;
      if (document.activeElement === input) {
        open();
      }
      if (openOnResults) {
        openOnResults = false;
        if (views.length > 0) {
          go(options[0]);
        }
      }
    }

    function fail(query) {
      clear();
      shownQuery = query;
      openOnResults = false;
      message.textContent = UNAVAILABLE;
      message.hidden = false;
      hasContent = true;
      say(UNAVAILABLE);
      if (document.activeElement === input) {
        open();
      }
    }

    var searcher = new Searcher(index, HEADER_LIMIT, show, fail);

    function update() {
      if (input.value === shownQuery && !searcher.pending) {
        open();
        return;
      }
      searcher.run(input.value);
    }

    function go(target) {
      close();
      input.blur();
      window.location.assign(target.href);
    }

    input.addEventListener("focus", function () {
      index.ready().catch(ignore);
      if (input.value) {
        update();
      }
    });

    input.addEventListener("input", function () {
      openOnResults = false;
      searcher.run(input.value);
    });

    input.addEventListener("blur", function () {
      close();
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing) {
        return;
      }
      var handled = true;
      switch (event.key) {
        case "ArrowDown":
        case "Down":
          if (!isOpen()) {
            update();
          } else if (options.length > 0) {
            setActive(active + 1 < options.length ? active + 1 : 0);
          }
          break;
        case "ArrowUp":
        case "Up":
          if (!isOpen()) {
            update();
          } else if (options.length > 0) {
            setActive(active > 0 ? active - 1 : options.length - 1);
          }
          break;
        case "Enter":
          if (queryTerms(input.value).length === 0) {
            break;
          }
          if (input.value === shownQuery && !searcher.pending) {
            if (options.length > 0) {
              go(options[active >= 0 ? active : 0]);
            } else if (message.textContent === UNAVAILABLE) {
              // The search page may fare better.
              handled = false;
            }
          } else {
            openOnResults = true;
          }
          break;
        case "Escape":
        case "Esc":
          if (isOpen()) {
            close();
          } else if (input.value) {
            input.value = "";
            searcher.run("");
          } else {
            input.blur();
          }
          break;
        case "Tab":
          close();
          handled = false;
          break;
        default:
          handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    });

    // A click in the list must not take the focus from the input (which would close the list).
    popup.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });

    list.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[role=option]") : null;
      if (target) {
        close();
      }
    });

    // Back to a page from the browser's cache: the list closed.
    window.addEventListener("pagehide", close);

    return input;
  }

  /* ---- the search page: the results of ?q=, the address following the input */
  function setupPage(form, index) {
    var input = form.querySelector(".search-page__input");
    var status = document.getElementById("handbook:search-page-status");
    var list = document.getElementById("handbook:search-page-results");
    if (!input || !status || !list) {
      return null;
    }
    form.hidden = false;
    var baseTitle = document.title;
    var links = [];
    var shownQuery = null;
    var openOnResults = false;

    var shownFound = null;

    function say(text) {
      if (status.textContent !== text) {
        status.textContent = text;
      }
    }

    function show(query, found, views) {
      // The rest of a list whose first results are shown already.
      var more = found && found === shownFound;
      if (!more) {
        list.replaceChildren();
        links = [];
      }
      shownQuery = query;
      shownFound = found;
      if (!found) {
        list.hidden = true;
        say("");
        openOnResults = false;
        return;
      }
      views.slice(links.length).forEach(function (view) {
        var item = element("li", "search-page__item");
        var a = element("a", "search-result search-result--page");
        a.href = view.url;
        fillResult(a, view, found);
        item.appendChild(a);
        list.appendChild(item);
        links.push(a);
      });
      list.hidden = links.length === 0;
      var total = found.total;
      if (total === 0) {
        say(noneText(query));
      } else if (total > PAGE_LIMIT) {
        say(countText(total, query) + ", the first " + PAGE_LIMIT + " shown");
      } else {
        say(countText(total, query));
      }
      if (openOnResults) {
        openOnResults = false;
        if (links.length > 0) {
          window.location.assign(links[0].href);
        }
      }
    }

    function fail(query) {
      list.replaceChildren();
      list.hidden = true;
      links = [];
      shownQuery = query;
      shownFound = null;
      openOnResults = false;
      say(UNAVAILABLE);
    }

    var searcher = new Searcher(index, PAGE_LIMIT, show, fail);

    function remember(query) {
      var url = new URL(window.location.href);
      if (query) {
        url.searchParams.set("q", query);
      } else {
        url.searchParams.delete("q");
      }
      window.history.replaceState(window.history.state, "", url.href);
      document.title = query.trim() ? "“" + query.trim() + "” · " + baseTitle : baseTitle;
    }

    input.addEventListener("input", function () {
      openOnResults = false;
      remember(input.value);
      searcher.run(input.value);
    });

    // Enter opens the first result, as in the header.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (queryTerms(input.value).length === 0) {
        return;
      }
      if (input.value === shownQuery && !searcher.pending) {
        if (links.length > 0) {
          window.location.assign(links[0].href);
        }
      } else {
        openOnResults = true;
      }
    });

    // The arrow keys move from the input through the results and back.
    function move(event, from) {
      var next = null;
      if (event.key === "ArrowDown" || event.key === "Down") {
        next = from < links.length - 1 ? links[from + 1] : null;
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        next = from > 0 ? links[from - 1] : from === 0 ? input : null;
      } else if ((event.key === "Escape" || event.key === "Esc") && from >= 0) {
        next = input;
      }
      if (next) {
        event.preventDefault();
        next.focus();
      }
    }

    input.addEventListener("keydown", function (event) {
      if (!event.isComposing) {
        move(event, -1);
      }
    });

    list.addEventListener("keydown", function (event) {
      var i = links.indexOf(event.target);
      if (i >= 0) {
        move(event, i);
      }
    });

    var query = new URLSearchParams(window.location.search).get("q") || "";
    input.value = query;
    if (query) {
      document.title = "“" + query.trim() + "” · " + baseTitle;
      searcher.run(query);
    } else {
      index.ready().catch(ignore);
      input.focus();
    }
    return input;
  }

  /* ---- "/" focuses the search box, unless a field has the focus */
  function isField(node) {
    return !!node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName));
  }

  function setupShortcut(input) {
    document.addEventListener("keydown", function (event) {
      if (
        event.key !== "/" ||
        event.defaultPrevented ||
        event.ctrlKey ||
        event.metaKey ||
        event.altKey ||
        event.isComposing ||
        isField(event.target)
      ) {
        return;
      }
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  function init() {
    var headerForm = document.querySelector("form.search-box[data-search-index]");
    var pageForm = document.querySelector("form[data-search-page][data-search-index]");
    var indexes = new Map();
    function indexAt(form) {
      var base = form.getAttribute("data-search-index");
      if (!indexes.has(base)) {
        indexes.set(base, new Index(base));
      }
      return indexes.get(base);
    }
    var headerInput = headerForm ? setupHeader(headerForm, indexAt(headerForm)) : null;
    var pageInput = pageForm ? setupPage(pageForm, indexAt(pageForm)) : null;
    if (pageInput || headerInput) {
      setupShortcut(pageInput || headerInput);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
