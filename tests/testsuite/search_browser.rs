//! Search in a real browser (headless Chromium through chromedriver), as a reader uses it: the
//! box in the header typed into key by key, its list of results (title, heading, trail, excerpt
//! with the words marked; title before heading before text), the keyboard (`/`, the arrows,
//! Enter, Escape) and what a screen reader is told (the combobox's attributes, the live region),
//! the /search/ page opened with `?q=`, no console errors or warnings, no failed request, no
//! Content-Security-Policy violation, and axe's rules on the open list. The site is
//! tests/fixtures/search, built with its index and served with the `_headers` the build wrote.
//!
//! Needs Chromium and chromedriver: see tests/common/browser.rs. Without them the tests show as
//! ignored (build.rs), and so does the axe test without `npm ci --prefix tests/browser`; on CI
//! (`CI` set) they fail.

use crate::support::browser::{self, Browser, Tools};
use crate::support::{BuiltSite, Fixture, StaticServer};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::ops::Deref;

/// Records in `sessionStorage` (which outlives a navigation) every console error or warning,
/// uncaught exception, unhandled rejection and failed request of every document, as `path:
/// kind: what`; read back as `log` by the state scripts below.
const COLLECT_CONSOLE: &str = r#"
(function () {
  function note(kind, what) {
    var seen = JSON.parse(sessionStorage.getItem("console") || "[]");
    seen.push(location.pathname + ": " + kind + ": " + what);
    sessionStorage.setItem("console", JSON.stringify(seen));
  }
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      note("console." + level, Array.prototype.map.call(arguments, String).join(" "));
      return original.apply(console, arguments);
    };
  });
  window.addEventListener("error", function (event) {
    note("exception", event.message || String(event.target && (event.target.src || event.target.href)));
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    note("unhandled rejection", String(event.reason));
  });
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) {
      if (!(entry.responseStatus >= 200 && entry.responseStatus < 400)) {
        note("failed request", entry.name + " " + entry.responseStatus);
      }
    });
  }).observe({ type: "resource", buffered: true });
})();
"#;

/// The page, the header's search box and its list as a reader (and a screen reader) meets them.
const HEADER: &str = r#"
function text(node, css) {
  var found = css ? node.querySelector(css) : node;
  return found ? found.textContent.replace(/\s+/g, " ").trim() : null;
}
var input = document.querySelector(".search-box__input");
var list = input && document.getElementById(input.getAttribute("aria-controls"));
var popup = document.querySelector(".search-popup");
var message = document.querySelector(".search-popup__message");
var live = document.getElementById("handbook:search-status");
var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
var header = document.querySelector(".site-header");
var box = target && target.getBoundingClientRect();
return {
  ready: document.readyState === "complete" && !!input && input.getAttribute("role") === "combobox",
  where: location.pathname + location.hash,
  focused: !!input && document.activeElement === input,
  value: input && input.value,
  expanded: input && input.getAttribute("aria-expanded"),
  activedescendant: input && input.getAttribute("aria-activedescendant"),
  listRole: list && list.getAttribute("role"),
  listShown: !!popup && !popup.hidden && !!list && !list.hidden && list.getClientRects().length > 0,
  message: message && !message.hidden && message.getClientRects().length > 0 ? text(message) : null,
  live: live && live.getAttribute("role") === "status" ? text(live) : null,
  results: list ? Array.from(list.children).map(function (option) {
    return {
      role: option.getAttribute("role"),
      id: option.id,
      selected: option.getAttribute("aria-selected"),
      href: option.getAttribute("href"),
      title: text(option, ".search-result__title"),
      heading: text(option, ".search-result__heading"),
      trail: text(option, ".search-result__trail"),
      excerpt: text(option, ".search-result__excerpt"),
      marks: Array.from(option.querySelectorAll(".search-result__excerpt mark")).map(function (m) { return m.textContent; }),
      text: text(option),
    };
  }) : [],
  targetInView: box ? box.top >= header.getBoundingClientRect().bottom - 1 && box.bottom <= window.innerHeight : null,
  scrolled: window.scrollY,
  log: JSON.parse(sessionStorage.getItem("console") || "[]"),
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
};
"#;

/// The /search/ page.
const SEARCH_PAGE: &str = r#"
function text(node, css) {
  var found = css ? node.querySelector(css) : node;
  return found ? found.textContent.replace(/\s+/g, " ").trim() : null;
}
var input = document.querySelector(".search-page__input");
var status = document.querySelector(".search-page__status");
var list = document.querySelector(".search-page__results");
return {
  ready: document.readyState === "complete" && !!input && !input.closest("form").hidden,
  where: location.pathname + location.search + location.hash,
  title: document.title,
  value: input && input.value,
  focused: !!input && document.activeElement === input,
  status: status && status.getAttribute("role") === "status" ? text(status) : null,
  results: list ? Array.from(list.querySelectorAll("a")).map(function (link) {
    return {
      href: link.getAttribute("href"),
      title: text(link, ".search-result__title"),
      heading: text(link, ".search-result__heading"),
      marks: Array.from(link.querySelectorAll(".search-result__excerpt mark")).map(function (m) { return m.textContent; }),
    };
  }) : [],
  log: JSON.parse(sessionStorage.getItem("console") || "[]"),
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
};
"#;

/// A built tests/fixtures/search served as Netlify serves it, and a browser that records
/// console messages and CSP violations.
struct Session {
    browser: Browser,
    server: StaticServer,
    _site: BuiltSite,
}

impl Session {
    async fn start(tools: &Tools) -> Session {
        let site = Fixture::copy("search").build();
        assert!(
            site.exists("_search/meta.json"),
            "the build wrote no search index"
        );
        let server = StaticServer::start(&site.out);
        let browser = Browser::start(tools).await;
        browser.record_csp_violations().await;
        browser
            .devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": COLLECT_CONSOLE }),
            )
            .await;
        Session {
            browser,
            server,
            _site: site,
        }
    }

    /// Opens `path` and waits until its search box is set up; returns the header's state.
    async fn open(&self, path: &str) -> Value {
        self.browser.goto(&self.server.url(path)).await;
        self.header(&format!("{path} loaded"), |h| Ok(h["ready"] == json!(true)))
            .await
    }

    /// Waits until the header's state satisfies `done`; a console message or CSP violation on
    /// the way fails the test at once.
    async fn header(&self, what: &str, done: impl Fn(&Value) -> Result<bool, String>) -> Value {
        self.browser
            .wait_for(what, HEADER, |state| {
                clean(state)?;
                done(state)
            })
            .await
    }

    async fn search_page(
        &self,
        what: &str,
        done: impl Fn(&Value) -> Result<bool, String>,
    ) -> Value {
        self.browser
            .wait_for(what, SEARCH_PAGE, |state| {
                clean(state)?;
                done(state)
            })
            .await
    }

    /// Types `query` into the header's box (focused by a click) and waits for its results.
    async fn search(&self, query: &str) -> Value {
        self.click(".search-box__input").await;
        self.type_text(query).await;
        let said = |h: &Value| {
            let live = h["live"].as_str().unwrap_or_default().to_string();
            live.ends_with(&format!("for “{query}”"))
        };
        self.header(&format!("the results for {query:?}"), |h| Ok(said(h)))
            .await
    }

    async fn close(self) {
        self.browser.close().await;
        drop(self.server);
    }
}

/// `session.click(...)`, `session.press(...)`: the session's browser.
impl Deref for Session {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.browser
    }
}

/// Fails on any console message, failed request or CSP violation recorded so far.
fn clean(state: &Value) -> Result<(), String> {
    if state["log"].as_array().is_some_and(|log| !log.is_empty()) {
        return Err(format!("the console: {}", state["log"]));
    }
    if state["violations"]
        .as_array()
        .is_some_and(|found| !found.is_empty())
    {
        return Err(format!("CSP violations: {}", state["violations"]));
    }
    Ok(())
}

/// The titles (with headings) of the results, the last one ("See all results") left out.
fn titles(state: &Value) -> Vec<String> {
    let results = state["results"].as_array().cloned().unwrap_or_default();
    results
        .iter()
        .filter(|r| r["title"].is_string())
        .map(|r| match r["heading"].as_str() {
            Some(heading) => format!("{} › {heading}", r["title"].as_str().unwrap()),
            None => r["title"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn typing_a_word_shows_its_section_and_the_arrow_and_enter_open_it() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session.open("/").await;
        let found = session.search("zanzibar").await;

        let first = &found["results"][0];
        assert_eq!(first["role"], json!("option"), "{found}");
        assert_eq!(first["href"], json!("/travel/field-guide/#field-trips"));
        assert_eq!(first["title"], json!("Field guide"), "{found}");
        assert_eq!(first["heading"], json!("Field trips"), "{found}");
        assert_eq!(first["trail"], json!("Travel"), "{found}");
        assert_eq!(first["marks"], json!(["Zanzibar"]), "{found}");
        assert!(
            first["excerpt"]
                .as_str()
                .unwrap_or_default()
                .contains("flew to Zanzibar for a week"),
            "{found}"
        );
        assert_eq!(found["live"], json!("1 result for “zanzibar”"), "{found}");
        assert_eq!(found["listRole"], json!("listbox"), "{found}");
        assert_eq!(found["listShown"], json!(true), "{found}");
        assert_eq!(found["expanded"], json!("true"), "{found}");
        assert_eq!(found["focused"], json!(true), "{found}");
        let last = found["results"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["href"], json!("/search/?q=zanzibar"), "{found}");
        assert_eq!(last["text"], json!("See all results"), "{found}");

        session.press(Key::Down).await;
        let id = first["id"].as_str().unwrap().to_string();
        session
            .header("ArrowDown highlights the first result", |h| {
                Ok(h["activedescendant"] == json!(id)
                    && h["results"][0]["selected"] == json!("true"))
            })
            .await;

        session.press(Key::Enter).await;
        let landed = session
            .header("Enter opens the section", |h| {
                Ok(h["where"] == json!("/travel/field-guide/#field-trips")
                    && h["targetInView"] == json!(true))
            })
            .await;
        assert!(
            landed["scrolled"].as_f64().unwrap_or(0.0) > 0.0,
            "the section is below the fold: {landed}"
        );
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_title_comes_before_a_heading_before_the_text() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session.open("/culture/").await;
        let found = session.search("lighthouse").await;
        assert_eq!(
            titles(&found),
            [
                "Lighthouse keeping",
                "Coastal duties › Lighthouse rota",
                "Maritime notes"
            ],
            "{found}"
        );
        assert_eq!(
            found["results"][1]["href"],
            json!("/operations/coastal-duties/#lighthouse-rota")
        );
        // The intro of a page: a link to the page itself.
        assert_eq!(
            found["results"][2]["href"],
            json!("/operations/maritime-notes/")
        );
        assert_eq!(
            found["results"][2]["marks"],
            json!(["lighthouse", "lighthouse", "lighthouse"])
        );
        assert_eq!(found["live"], json!("3 results for “lighthouse”"));
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn accents_and_word_forms_do_not_matter() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session.open("/").await;
        let found = session.search("cafe").await;
        assert_eq!(titles(&found), ["Coffee"], "{found}");
        assert_eq!(found["results"][0]["marks"], json!(["Café"]), "{found}");

        // Escape closes the list, a second one empties the box.
        session.press(Key::Escape).await;
        session.press(Key::Escape).await;
        session
            .header("the box emptied", |h| Ok(h["value"] == json!("")))
            .await;
        session.type_text("runs").await;
        let found = session
            .header("the results for “runs”", |h| {
                Ok(h["live"] == json!("2 results for “runs”"))
            })
            .await;
        let mut pages = titles(&found);
        pages.sort();
        assert_eq!(pages, ["Shuttle", "Sports"], "{found}");
        let marks: Vec<&Value> = found["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["marks"])
            .collect();
        assert!(
            marks.contains(&&json!(["running"])) && marks.contains(&&json!(["runs"])),
            "{found}"
        );
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_query_without_results_says_so_on_screen_and_to_screen_readers() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session.open("/").await;
        let found = session.search("xyzzy").await;
        assert_eq!(found["message"], json!("No results for “xyzzy”"), "{found}");
        assert_eq!(found["live"], json!("No results for “xyzzy”"), "{found}");
        assert_eq!(found["results"], json!([]), "{found}");
        assert_eq!(found["listShown"], json!(false), "{found}");
        assert_eq!(found["expanded"], json!("false"), "{found}");

        // A draft's words are not in the index.
        session.press(Key::Escape).await;
        session.press(Key::Escape).await;
        session.type_text("xylophonist").await;
        let draft = session
            .header("the results for the draft's word", |h| {
                Ok(h["live"] == json!("No results for “xylophonist”"))
            })
            .await;
        assert_eq!(draft["message"], json!("No results for “xylophonist”"));
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_search_page_shows_the_results_of_its_address_and_follows_its_input() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session
            .browser
            .goto(&session.server.url("/search/?q=zanzibar"))
            .await;
        let page = session
            .search_page("the results of ?q=zanzibar", |p| {
                Ok(p["ready"] == json!(true) && p["status"] == json!("1 result for “zanzibar”"))
            })
            .await;
        assert_eq!(page["value"], json!("zanzibar"), "{page}");
        assert_eq!(
            page["results"],
            json!([{
                "href": "/travel/field-guide/#field-trips",
                "title": "Field guide",
                "heading": "Field trips",
                "marks": ["Zanzibar"],
            }]),
        );
        assert_eq!(page["title"], json!("“zanzibar” · Search · Fixture"));

        // More results than the header shows: all of them, each once (the page shows the
        // first ones as soon as it can, then the rest).
        session
            .browser
            .goto(&session.server.url("/search/?q=the"))
            .await;
        let many = session
            .search_page("the results of ?q=the", |p| {
                let count = p["results"].as_array().map_or(0, Vec::len);
                Ok(p["status"] == json!(format!("{count} results for “the”")))
            })
            .await;
        let mut hrefs: Vec<&str> = many["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["href"].as_str().unwrap())
            .collect();
        assert!(hrefs.len() > 8, "{many}");
        hrefs.sort_unstable();
        hrefs.dedup();
        assert_eq!(
            hrefs.len(),
            many["results"].as_array().unwrap().len(),
            "{many}"
        );

        session
            .browser
            .goto(&session.server.url("/search/?q=zanzibar"))
            .await;
        session
            .search_page("the results of ?q=zanzibar again", |p| {
                Ok(p["status"] == json!("1 result for “zanzibar”"))
            })
            .await;

        // Typing there updates the results and the address, which can be shared.
        session.click(".search-page__input").await;
        session.press(Key::End).await;
        session.type_text(" trips").await;
        let page = session
            .search_page("the results of “zanzibar trips”", |p| {
                Ok(p["status"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("for “zanzibar trips”")))
            })
            .await;
        assert_eq!(page["where"], json!("/search/?q=zanzibar+trips"), "{page}");
        assert_eq!(
            page["results"][0]["href"],
            json!("/travel/field-guide/#field-trips"),
            "{page}"
        );

        // Enter opens the first result.
        session.press(Key::Enter).await;
        session
            .header("Enter opens the first result", |h| {
                Ok(h["where"] == json!("/travel/field-guide/#field-trips"))
            })
            .await;
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn searching_logs_nothing_fails_no_request_and_breaks_no_policy() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        for path in ["/", "/travel/field-guide/", "/search/"] {
            session.open(path).await;
        }
        session
            .browser
            .goto(&session.server.url("/search/?q=lighthouse"))
            .await;
        session
            .search_page("the search page's results", |p| {
                Ok(p["status"] == json!("3 results for “lighthouse”"))
            })
            .await;

        session.open("/operations/").await;
        session.search("lighthouse").await;
        session.press(Key::Down).await;
        session.press(Key::Down).await;
        session.press(Key::Up).await;
        session.press(Key::Escape).await;
        session.press(Key::Escape).await;
        session.type_text("xyzzy").await;
        session
            .header("no results", |h| {
                Ok(h["live"] == json!("No results for “xyzzy”"))
            })
            .await;
        // Every word typed so far again, from the start: every shard and page file is asked for.
        session.press(Key::Escape).await;
        session.press(Key::Escape).await;
        session.type_text("the team").await;
        let state = session
            .header("results for “the team”", |h| {
                Ok(h["live"]
                    .as_str()
                    .is_some_and(|s| s.ends_with("for “the team”")))
            })
            .await;
        assert_eq!(state["log"], json!([]), "{state}");
        assert_eq!(state["violations"], json!([]), "{state}");
        let failed: Vec<String> = session
            .server
            .requests()
            .into_iter()
            .filter(|r| !r.ends_with("-> 200") && !r.ends_with("-> 301"))
            .collect();
        assert!(failed.is_empty(), "requests that failed: {failed:?}");
        let index: Vec<String> = session
            .server
            .requests()
            .into_iter()
            .filter(|r| r.contains("/_search/"))
            .collect();
        assert!(
            index
                .iter()
                .any(|r| r.starts_with("GET /_search/meta.json "))
                && index
                    .iter()
                    .filter(|r| !r.contains("meta.json"))
                    .all(|r| r.contains(".json?v=")),
            "the index is read, every file but meta.json with ?v=: {index:?}"
        );

        // The checks above can fail: a warning and a failed request are seen.
        session
            .browser
            .run(r#"console.warn("control"); fetch("/no-such-file.json"); return true;"#)
            .await;
        let control = session
            .browser
            .wait_for("the control's messages", HEADER, |h| {
                Ok(h["log"].as_array().is_some_and(|log| log.len() >= 2))
            })
            .await;
        let log = control["log"].to_string();
        assert!(
            log.contains("console.warn: control") && log.contains("no-such-file.json 404"),
            "{log}"
        );
        session.close().await;
    });
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_keyboard_alone_opens_moves_through_and_closes_the_list() {
    let tools = browser::tools_or_fail();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        session.open("/travel/field-guide/").await;

        // "/" outside a field focuses the box, and is not typed into it.
        session.type_text("/").await;
        session
            .header("“/” focuses the box", |h| {
                Ok(h["focused"] == json!(true) && h["value"] == json!(""))
            })
            .await;
        session.type_text("lighthouse").await;
        let found = session
            .header("the results", |h| {
                Ok(h["live"] == json!("3 results for “lighthouse”")
                    && h["expanded"] == json!("true"))
            })
            .await;
        let ids: Vec<String> = found["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 4, "three results and “See all results”: {found}");

        session.press(Key::Down).await;
        session.press(Key::Down).await;
        session
            .header("two ArrowDowns: the second result", |h| {
                Ok(h["activedescendant"] == json!(ids[1]))
            })
            .await;
        session.press(Key::Up).await;
        session.press(Key::Up).await;
        session
            .header("two ArrowUps: round to the last option", |h| {
                Ok(h["activedescendant"] == json!(ids[3]))
            })
            .await;

        session.press(Key::Escape).await;
        let closed = session
            .header("Escape closes the list", |h| {
                Ok(h["expanded"] == json!("false") && h["listShown"] == json!(false))
            })
            .await;
        assert_eq!(closed["value"], json!("lighthouse"), "{closed}");
        assert_eq!(closed["focused"], json!(true), "{closed}");
        assert_eq!(closed["activedescendant"], Value::Null, "{closed}");

        session.press(Key::Down).await;
        session
            .header("ArrowDown opens it again", |h| {
                Ok(h["expanded"] == json!("true") && h["listShown"] == json!(true))
            })
            .await;
        session.press(Key::Escape).await;
        session.press(Key::Escape).await;
        session
            .header("a second Escape empties the box", |h| {
                Ok(h["value"] == json!("") && h["expanded"] == json!("false"))
            })
            .await;

        // In the box, "/" is just typed.
        session.type_text("a/b").await;
        session
            .header("“/” typed in the box", |h| {
                Ok(h["value"] == json!("a/b"))
            })
            .await;
        session.close().await;
    });
}

/// axe-core's source, from tests/browser (`npm ci --prefix tests/browser`). The test is
/// ignored where it is missing (build.rs), so here it is a failure.
fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "this test needs {} (npm ci --prefix tests/browser): {err}",
            path.display()
        )
    })
}

/// axe's WCAG 2 A/AA and best-practice rules on the page as it is now: one line per violation.
async fn axe(session: &Session, source: &str, what: &str) -> Vec<String> {
    let script = format!(
        "{source}\n;var done = arguments[arguments.length - 1];\
         axe.run(document, {{ runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }}).then(function (result) {{\
           done(result.violations.map(function (v) {{\
             return v.id + ': ' + v.help + '; ' + v.nodes.map(function (n) {{ return n.target.join(' '); }}).join(', ');\
           }}));\
         }}, function (error) {{ done(['axe failed: ' + error]); }});"
    );
    match session.browser.client.execute_async(&script, vec![]).await {
        Ok(Value::Array(found)) => found
            .into_iter()
            .map(|v| format!("{what}: {}", v.as_str().unwrap_or_default()))
            .collect(),
        Ok(other) => vec![format!("{what}: axe said {other}")],
        Err(err) => session
            .browser
            .fail(&format!("axe on {what}"), &err.to_string()),
    }
}

#[test]
#[cfg_attr(
    not(all(has_browser, has_axe)),
    ignore = "needs Chromium, chromedriver, Node.js and tests/browser/node_modules: apt-get install chromium chromium-driver nodejs; npm ci --prefix tests/browser"
)]
fn the_open_list_and_the_search_page_pass_axe_light_and_dark() {
    let tools = browser::tools_or_fail();
    let source = axe_source();
    browser::block_on(async {
        let session = Session::start(&tools).await;
        let mut problems = Vec::new();
        for scheme in ["light", "dark"] {
            session
                .browser
                .devtools(
                    "Emulation.setEmulatedMedia",
                    json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
                )
                .await;
            session.open("/culture/").await;
            session.search("lighthouse").await;
            session.press(Key::Down).await;
            session
                .header("a highlighted result", |h| {
                    Ok(h["activedescendant"].is_string())
                })
                .await;
            problems.extend(axe(&session, &source, &format!("{scheme}: the open list")).await);

            session.open("/culture/").await;
            session.search("xyzzy").await;
            problems.extend(axe(&session, &source, &format!("{scheme}: no results")).await);

            session
                .browser
                .goto(&session.server.url("/search/?q=lighthouse"))
                .await;
            session
                .search_page("the search page's results", |p| {
                    Ok(p["status"] == json!("3 results for “lighthouse”"))
                })
                .await;
            problems.extend(axe(&session, &source, &format!("{scheme}: the search page")).await);
        }
        assert!(problems.is_empty(), "axe: {problems:#?}");
        session.close().await;
    });
}
