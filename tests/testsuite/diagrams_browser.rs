//! Mermaid diagrams (```` ```mermaid ```` blocks; static/diagrams/diagrams.js and its README,
//! the diagram assets of src/templates/theme.rs) in headless Chromium, on a fixture site served
//! as Netlify serves it (with the `_headers` the build wrote, so its Content-Security-Policy
//! applies):
//!
//! - a page with a flowchart, a sequence diagram and a diagram with a syntax error: once
//!   `handbookDiagrams.ready` settles, two `figure.diagram`s in the places of their sources,
//!   each an image with an accessible name holding an SVG of some size, and one
//!   `.diagram-error` note saying why and on which line of the source as written; no
//!   `pre[data-diagram]` and nothing of Mermaid's left in the page; no
//!   `securitypolicyviolation` event (listened to before any script of the page runs) and no
//!   console error. A control page with an inline style shows that violations are seen;
//! - dark mode, switched while the page is open: the diagrams are drawn again, in dark colours
//!   (the computed fill of a flowchart node and of a sequence actor), with no stylesheet left
//!   from the light drawings; a page opened in dark mode is drawn dark; still no violation;
//! - a page without a diagram loads neither script (no element, no request, no resource timing
//!   entry), and a site without a diagram writes no `diagrams/` file;
//! - without JavaScript, each diagram's source is in the page as written, shown as text;
//! - axe's WCAG 2 A/AA and best-practice rules on the diagram page, light and dark: by
//!   tests/browser/audit.js as accessibility.rs runs it, and again in this session once
//!   `handbookDiagrams.ready` settled (audit.js does not wait for the diagrams);
//! - `handbook serve`: a saved change to a diagram (a new node label) is shown drawn in the open
//!   page; a first diagram saved into a site that had none is drawn too;
//! - the edges: each way of writing a fence that the Markdown side takes as a diagram
//!   (```` ```Mermaid ````, ```` ```MerMaid ````, `~~~mermaid`, in a quote, on a list item's
//!   first line), as the only diagram of its site, is drawn, its scripts written and served; a
//!   site that only mentions Mermaid in its text writes no diagram file.
//!
//! Needs Chromium and chromedriver (the axe test: also Node.js and `npm ci --prefix
//! tests/browser`): see tests/testsuite/support/browser.rs. Without them the tests show as
//! ignored (build.rs); on CI (`CI` set) they fail.

use crate::support::browser::{self, Browser};
use crate::support::{
    BuiltSite, Fixture, Served, StaticServer, page, select, select_attrs, snapshot,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;

/// The page with the diagrams.
const DIAGRAM_PAGE: &str = "/release-flow/";
/// A page without one.
const PLAIN_PAGE: &str = "/plain/";

/// The flowchart, with `label` as the text of its last node: named and described for screen
/// readers by its `accTitle` and `accDescr`.
fn flowchart(label: &str) -> String {
    format!(
        "flowchart LR\n  accTitle: Release flow\n  accDescr: A change is built, reviewed and then shipped.\n  A[Build] --> B{{Review}}\n  B -->|approved| C[{label}]\n  B -->|changes asked| A\n"
    )
}

/// The label of the flowchart's last node, then the one a save in `handbook serve` gives it.
const LABEL: &str = "Merge to main";
const NEW_LABEL: &str = "Ship to canary";

/// A sequence diagram without a title: its name is the one diagrams.js gives, "Diagram".
const SEQUENCE: &str = "sequenceDiagram\n  Author->>Reviewer: Opens a merge request\n  Reviewer-->>Author: Approves it\n";

/// A diagram with a syntax error on its fourth line. Mermaid drops the `%%` comment before
/// parsing, so it says "line 3": the error box must name the line as written.
const BROKEN: &str =
    "flowchart TD\n  %% the release path\n  A[Build] --> B[Test]\n  B --> C(Deploy]\n";
const BROKEN_LINE: (u64, &str) = (4, "B --> C(Deploy]");

/// The accessible names of the two drawn diagrams, and the description of the first.
const NAMES: [&str; 2] = ["Release flow", "Diagram"];
const DESCRIPTION: &str = "A change is built, reviewed and then shipped.";

/// The Markdown of the diagram page, its flowchart's last node labelled `label`.
fn diagram_page(label: &str) -> String {
    page(
        "Release flow",
        &format!(
            "How a change ships.\n\n```mermaid\n{}```\n\nWho talks to whom.\n\n```mermaid\n{SEQUENCE}```\n\nA diagram with a mistake.\n\n```mermaid\n{BROKEN}```\n\nText after the diagrams.",
            flowchart(label)
        ),
    )
}

/// The fixture: home, the diagram page, a page without a diagram (with a code block) and a
/// control page whose inline style the Content-Security-Policy blocks.
fn fixture() -> Fixture {
    Fixture::new()
        .file(
            "content/index.md",
            page(
                "Home",
                "See the [release flow](/release-flow/) and the [plain page](/plain/).",
            ),
        )
        .file("content/release-flow.md", diagram_page(LABEL))
        .file("content/plain.md", plain_page())
        .file(
            "content/control.md",
            page("Control", "<p style=\"color: red\">Inline style.</p>"),
        )
}

/// The fixture, built.
fn built() -> BuiltSite {
    fixture().build()
}

fn plain_page() -> String {
    page(
        "Plain",
        "No diagram here, only code.\n\n```sh\nhandbook build\n```",
    )
}

/// Run in every document before its own scripts: records console errors, uncaught errors,
/// unhandled rejections and elements that failed to load in `sessionStorage`, as
/// `path: what` (read with `JSON.parse(sessionStorage.getItem("consoleErrors") || "[]")`).
const RECORD_CONSOLE_ERRORS: &str = r#"
(function () {
  function note(what) {
    try {
      var seen = JSON.parse(sessionStorage.getItem("consoleErrors") || "[]");
      seen.push(location.pathname + ": " + what);
      sessionStorage.setItem("consoleErrors", JSON.stringify(seen));
    } catch (e) { /* a document without storage */ }
  }
  var original = console.error;
  console.error = function () {
    note("console.error: " + Array.prototype.map.call(arguments, String).join(" "));
    return original.apply(this, arguments);
  };
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      note("failed to load " + (target.src || target.href));
    } else {
      note("uncaught error: " + event.message);
    }
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    var reason = event.reason;
    note("unhandled rejection: " + (reason && (reason.stack || reason.message) || reason));
  });
})();
"#;

/// The page as the tests see it: its diagrams drawn (figures, error boxes, in the page's
/// order), the sources left, anything of Mermaid's outside them, its scripts, its requests,
/// the violations and console errors so far. Hooks `handbookDiagrams.ready` the first time it
/// runs in a document (`done`: `{ settled, summary | error }`).
const DIAGRAM_STATE: &str = r##"
var api = window.handbookDiagrams;
if (api && api.ready && !window.__diagramsTest) {
  window.__diagramsTest = { settled: false };
  Promise.resolve(api.ready).then(function (summary) {
    window.__diagramsTest = { settled: true, summary: summary };
  }, function (error) {
    window.__diagramsTest = { settled: true, error: String(error && error.stack || error) };
  });
}
function size(el) {
  var r = el.getBoundingClientRect();
  return [Math.round(r.width), Math.round(r.height)];
}
function classes(el) {
  return typeof el.className === "string" ? el.className : (el.className && el.className.baseVal) || "";
}
function describe(el) {
  var css = el.getAttribute("style");
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (classes(el).trim() ? "." + classes(el).trim().split(/\s+/).join(".") : "") +
    (css ? "[style=\"" + css.slice(0, 80) + "\"]" : "");
}
function fill(svg, css) {
  var shape = svg && svg.querySelector(css);
  return shape ? getComputedStyle(shape).fill : null;
}
function squeeze(text) {
  return (text || "").replace(/\s+/g, " ").trim();
}
var strays = [];
document.querySelectorAll("body *").forEach(function (el) {
  if (el.closest("figure.diagram, .diagram-error")) { return; }
  var id = el.id || "", names = classes(el);
  if (/handbookDiagram|^mermaid/i.test(id) ||
      (el.tagName.toLowerCase() === "svg" && el.hasAttribute("aria-roledescription")) ||
      (/(^|\s)(mermaid|error-icon|error-text)/.test(names) && !/(^|\s)(mermaidTooltip|mermaid-source)(\s|$)/.test(names)) ||
      (el.style && el.style.visibility === "hidden" && el.style.position === "absolute")) {
    strays.push(describe(el));
  }
});
if (/Syntax error in text/i.test(document.body.innerText)) {
  strays.push("Mermaid's error picture (\"Syntax error in text\")");
}
return {
  ready: document.readyState === "complete",
  api: !!api,
  mermaid: !!window.mermaid,
  done: window.__diagramsTest || null,
  dark: matchMedia("(prefers-color-scheme: dark)").matches,
  sources: Array.from(document.querySelectorAll("pre[data-diagram]")).map(function (pre) {
    return { text: pre.textContent, shown: pre.innerText, size: size(pre), whiteSpace: getComputedStyle(pre).whiteSpace };
  }),
  order: Array.from(document.querySelectorAll("figure.diagram, .diagram-error, pre[data-diagram]")).map(function (el) {
    return el.matches("figure") ? el.getAttribute("data-diagram-type") : el.matches("pre") ? "source" : "error";
  }),
  figures: Array.from(document.querySelectorAll("figure.diagram")).map(function (figure) {
    var svg = figure.querySelector("svg");
    return {
      type: figure.getAttribute("data-diagram-type"),
      role: figure.getAttribute("role"),
      label: figure.getAttribute("aria-label"),
      inProse: !!figure.closest(".prose"),
      svg: svg ? svg.id : null,
      size: svg ? size(svg) : null,
      text: svg ? squeeze(svg.textContent) : "",
      fill: fill(svg, "g.node rect, g.node polygon, g.node circle, rect.actor"),
    };
  }),
  errors: Array.from(document.querySelectorAll(".diagram-error")).map(function (note) {
    var line = note.querySelector(".diagram-error-line"), mark = note.querySelector("mark");
    var source = note.querySelector(".diagram-error-source");
    return {
      role: note.getAttribute("role"),
      text: squeeze(note.innerText),
      line: line ? squeeze(line.textContent) : null,
      mark: mark ? mark.textContent.trim() : null,
      source: source ? source.textContent : null,
      size: size(note),
    };
  }),
  strays: strays,
  drawnBefore: window.__drawnBefore ? Array.from(document.querySelectorAll("figure.diagram, .diagram-error")).filter(function (el) {
    return window.__drawnBefore.indexOf(el) >= 0;
  }).length : null,
  sheets: document.adoptedStyleSheets ? document.adoptedStyleSheets.length : null,
  scripts: Array.from(document.scripts).map(function (s) { return s.getAttribute("src") || "(inline)"; }),
  resources: performance.getEntriesByType("resource").map(function (entry) {
    return { url: entry.name.replace(location.origin, ""), status: entry.responseStatus };
  }),
  violations: JSON.parse(sessionStorage.getItem("violations") || "[]"),
  consoleErrors: JSON.parse(sessionStorage.getItem("consoleErrors") || "[]"),
};
"##;

/// A new browser that records CSP violations and console errors from the first document on.
async fn watched_browser(tools: &browser::Tools) -> Browser {
    let browser = Browser::start(tools).await;
    browser.record_csp_violations().await;
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": RECORD_CONSOLE_ERRORS }),
        )
        .await;
    browser
}

/// Light or dark, as `prefers-color-scheme` says to the pages from now on.
async fn emulate(browser: &Browser, scheme: &str) {
    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await;
}

/// Opens `url` and waits until the page has loaded and `handbookDiagrams.ready` settled;
/// fails at once if the page loaded without `handbookDiagrams`.
async fn open_drawn(browser: &Browser, url: &str) -> Value {
    browser.goto(url).await;
    wait_drawn(browser, &format!("the diagrams of {url} drawn")).await
}

/// Waits until the page in the browser has loaded and `handbookDiagrams.ready` settled.
async fn wait_drawn(browser: &Browser, what: &str) -> Value {
    browser
        .wait_for(what, DIAGRAM_STATE, |state| {
            if state["ready"] == json!(true) && state["api"] != json!(true) {
                return Err(format!(
                    "expected window.handbookDiagrams once the page loaded (its deferred scripts ran), found none (window.mermaid: {}); the page's scripts: {}",
                    state["mermaid"], state["scripts"]
                ));
            }
            Ok(state["ready"] == json!(true) && state["done"]["settled"] == json!(true))
        })
        .await
}

/// What is wrong with the drawn diagram page `state` ([`DIAGRAM_STATE`]), as `label` (light,
/// dark, ...) sees it, one line each, saying what was expected and what was found.
fn drawn_problems(label: &str, state: &Value, flowchart_label: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut problem = |text: String| problems.push(format!("{label}: {text}"));
    let done = &state["done"];
    if !done["error"].is_null() {
        problem(format!(
            "expected handbookDiagrams.ready to resolve, found it rejected: {}",
            done["error"]
        ));
    }
    let summary = json!([done["summary"]["drawn"], done["summary"]["failed"]]);
    if !done["summary"].is_null() && summary != json!([2, 1]) {
        problem(format!(
            "expected handbookDiagrams.ready to say 2 drawn and 1 failed, found {}",
            done["summary"]
        ));
    }
    let order = json!(["flowchart-v2", "sequence", "error"]);
    if state["order"] != order {
        problem(format!(
            "expected the flowchart, the sequence diagram and the error box in the places of their sources, {order}, found {}",
            state["order"]
        ));
    }
    if state["sources"] != json!([]) {
        problem(format!(
            "expected no pre[data-diagram] left, found {}",
            state["sources"]
        ));
    }
    let figures = state["figures"].as_array().cloned().unwrap_or_default();
    for (index, figure) in figures.iter().enumerate() {
        let which = format!("the figure {} ({})", index + 1, figure["type"]);
        if figure["role"] != json!("img") {
            problem(format!(
                "{which}: expected role=\"img\", found {}",
                figure["role"]
            ));
        }
        if let Some(name) = NAMES.get(index)
            && figure["label"] != json!(name)
        {
            problem(format!(
                "{which}: expected the aria-label {name:?}, found {}",
                figure["label"]
            ));
        }
        let sized = figure["size"]
            .as_array()
            .is_some_and(|s| s.len() == 2 && s.iter().all(|n| n.as_f64() > Some(0.0)));
        if figure["svg"].is_null() || !sized {
            problem(format!(
                "{which}: expected an SVG of non-zero size, found the SVG {} of {} px",
                figure["svg"], figure["size"]
            ));
        }
        if figure["inProse"] != json!(true) {
            problem(format!(
                "{which}: expected it in the page's text (.prose), found it elsewhere"
            ));
        }
    }
    if let Some(first) = figures.first() {
        let text = first["text"].as_str().unwrap_or_default();
        for node in ["Build", "Review", flowchart_label] {
            if !text.contains(node) {
                problem(format!(
                    "expected the flowchart to show the node {node:?}, found its text {text:?}"
                ));
            }
        }
    }
    let errors = state["errors"].as_array().cloned().unwrap_or_default();
    if errors.len() != 1 {
        problem(format!(
            "expected one .diagram-error, found {}: {}",
            errors.len(),
            state["errors"]
        ));
    }
    if let Some(error) = errors.first() {
        let text = error["text"].as_str().unwrap_or_default();
        let line = error["line"].as_str().unwrap_or_default();
        let (number, source_line) = BROKEN_LINE;
        let wanted_line = format!("Line {number} of the diagram: {source_line}");
        if error["role"] != json!("note") {
            problem(format!(
                "the error box: expected role=\"note\", found {}",
                error["role"]
            ));
        }
        if !text.contains("This diagram could not be drawn") {
            problem(format!(
                "the error box: expected \"This diagram could not be drawn\", found {text:?}"
            ));
        }
        if line != wanted_line || error["mark"] != json!(source_line) {
            problem(format!(
                "the error box: expected {wanted_line:?} with that line marked in the source, found {line:?}, marked {}",
                error["mark"]
            ));
        }
        if error["source"] != json!(BROKEN.trim_end()) {
            problem(format!(
                "the error box: expected the diagram's source {:?}, found {}",
                BROKEN.trim_end(),
                error["source"]
            ));
        }
    }
    if state["strays"] != json!([]) {
        problem(format!(
            "expected nothing of Mermaid's left in the page outside the figures, found {}",
            state["strays"]
        ));
    }
    problems.extend(clean(label, state));
    problems
}

/// The violations and console errors of `state`, as problems.
fn clean(label: &str, state: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if state["violations"] != json!([]) {
        problems.push(format!(
            "{label}: expected no Content-Security-Policy violation, found {}",
            state["violations"]
        ));
    }
    if state["consoleErrors"] != json!([]) {
        problems.push(format!(
            "{label}: expected no console error, found {}",
            state["consoleErrors"]
        ));
    }
    problems
}

/// Fails the test with every problem, if there is any.
fn assert_none(problems: &[String], state: &Value) {
    assert!(
        problems.is_empty(),
        "{} problems with the diagrams:\n{}\nthe page: {state:#}",
        problems.len(),
        problems.join("\n")
    );
}

/// The images of the accessibility tree, as Chromium computes them for a screen reader: their
/// names and descriptions, in the page's order.
async fn accessible_images(browser: &Browser) -> Vec<(String, String)> {
    let tree = browser
        .devtools("Accessibility.getFullAXTree", json!({}))
        .await;
    tree["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|node| {
            node["ignored"] != json!(true)
                && ["img", "image"].contains(&node["role"]["value"].as_str().unwrap_or_default())
        })
        .map(|node| {
            let value = |key: &str| node[key]["value"].as_str().unwrap_or_default().to_string();
            (value("name"), value("description"))
        })
        .collect()
}

/// The fingerprinted Mermaid and diagrams scripts the diagram page of `site` loads, as site
/// paths (`/diagrams/mermaid.min.0123abcd.js`).
fn diagram_scripts(site: &BuiltSite) -> [String; 2] {
    let scripts = select_attrs(&site.page(DIAGRAM_PAGE), "script[src]", "src");
    let find = |stem: &str| {
        let fingerprinted = |src: &&String| {
            src.strip_prefix(&format!("/diagrams/{stem}."))
                .and_then(|rest| rest.strip_suffix(".js"))
                .is_some_and(|hash| hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        scripts.iter().find(fingerprinted).cloned().unwrap_or_else(|| {
            panic!(
                "expected {DIAGRAM_PAGE} to load /diagrams/{stem}.<8 hex digits>.js, found the scripts {scripts:?}"
            )
        })
    };
    [find("mermaid.min"), find("diagrams")]
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn diagrams_are_drawn_under_the_content_security_policy_and_a_mistake_is_explained() {
    let tools = browser::tools_or_fail();
    let site = built();
    let scripts = diagram_scripts(&site);
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        emulate(&browser, "light").await;
        let state = open_drawn(&browser, &server.url(DIAGRAM_PAGE)).await;
        let mut problems = drawn_problems("light", &state, LABEL);

        // The two fingerprinted scripts, Mermaid first, each requested once and served.
        let loaded: Vec<&str> = state["scripts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|src| src.contains("diagrams/"))
            .collect();
        if loaded != scripts {
            problems.push(format!(
                "expected the page to load the scripts {scripts:?}, found {loaded:?}"
            ));
        }
        for script in &scripts {
            let served: Vec<String> = server
                .requests()
                .into_iter()
                .filter(|request| request.contains(&format!(" {script} ")))
                .collect();
            if served != [format!("GET {script} -> 200")] {
                problems.push(format!(
                    "expected one request for {script}, answered 200, found {served:?}"
                ));
            }
        }

        // What a screen reader is told.
        let images = accessible_images(&browser).await;
        let expected: Vec<(String, String)> = vec![
            (NAMES[0].into(), DESCRIPTION.into()),
            (NAMES[1].into(), String::new()),
        ];
        if images != expected {
            problems.push(format!(
                "expected the images (name, description) {expected:?} in the accessibility tree, found {images:?}"
            ));
        }
        assert_none(&problems, &state);

        // The listener sees violations: the control page's inline style is one.
        browser.goto(&server.url("/control/")).await;
        browser
            .wait_for(
                "the control page's inline style reported as a violation (style-src-attr)",
                DIAGRAM_STATE,
                |state| {
                    Ok(state["violations"]
                        .to_string()
                        .contains("/control/: style-src-attr blocked inline"))
                },
            )
            .await;
        browser.close().await;
    });
    drop(server);
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn diagrams_are_drawn_again_in_dark_colours_when_the_reader_switches() {
    let tools = browser::tools_or_fail();
    let site = built();
    let server = StaticServer::start(&site.out);
    let url = server.url(DIAGRAM_PAGE);
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        emulate(&browser, "light").await;
        let light = open_drawn(&browser, &url).await;
        let mut problems = drawn_problems("light", &light, LABEL);
        let fills =
            |state: &Value| json!([state["figures"][0]["fill"], state["figures"][1]["fill"]]);
        let ids = |state: &Value| json!([state["figures"][0]["svg"], state["figures"][1]["svg"]]);
        let light_fills = fills(&light);
        if light_fills.as_array().unwrap().iter().any(Value::is_null) {
            problems.push(format!(
                "light: expected the fill of a flowchart node and of a sequence actor, found {light_fills}"
            ));
        }
        assert_none(&problems, &light);

        // Switched to dark while the page is open: drawn again, dark.
        browser.run(MARK_DRAWN).await;
        emulate(&browser, "dark").await;
        let dark = browser
            .wait_for(
                "the diagrams drawn again after the switch to dark",
                DIAGRAM_STATE,
                |state| Ok(state["dark"] == json!(true) && all_redrawn(state)),
            )
            .await;
        let mut problems = drawn_problems("dark, switched", &dark, LABEL);
        if ids(&dark) == ids(&light) {
            problems.push(format!(
                "dark, switched: expected new SVGs, found the same ids {}",
                ids(&dark)
            ));
        }
        if dark["sheets"] != light["sheets"] {
            problems.push(format!(
                "dark, switched: expected as many adopted stylesheets as in light mode ({}: one per drawn SVG), found {}",
                light["sheets"], dark["sheets"]
            ));
        }
        let darker = fills(&dark)
            .as_array()
            .unwrap()
            .iter()
            .zip(light_fills.as_array().unwrap())
            .all(|(now, before)| luminance(now) < luminance(before));
        if !darker {
            problems.push(format!(
                "dark, switched: expected darker fills than light mode's {light_fills}, found {}",
                fills(&dark)
            ));
        }

        // Opened in dark mode: drawn dark at once, as after the switch.
        let opened = open_drawn(&browser, &url).await;
        problems.extend(drawn_problems("dark, opened", &opened, LABEL));
        if fills(&opened) != fills(&dark) {
            problems.push(format!(
                "dark, opened: expected the fills {} of the page switched to dark, found {}",
                fills(&dark),
                fills(&opened)
            ));
        }

        // And back to light.
        browser.run(MARK_DRAWN).await;
        emulate(&browser, "light").await;
        let back = browser
            .wait_for(
                "the diagrams drawn again after the switch back to light",
                DIAGRAM_STATE,
                |state| Ok(state["dark"] == json!(false) && all_redrawn(state)),
            )
            .await;
        if fills(&back) != light_fills {
            problems.push(format!(
                "light again: expected the fills {light_fills} of light mode, found {}",
                fills(&back)
            ));
        }
        problems.extend(drawn_problems("light again", &back, LABEL));
        assert_none(&problems, &back);
        browser.close().await;
    });
    drop(server);
}

/// Run before a switch of colour scheme: the figures and error boxes drawn until then, to tell
/// when each has been drawn again ([`all_redrawn`]).
const MARK_DRAWN: &str = "window.__drawnBefore = Array.from(document.querySelectorAll('figure.diagram, .diagram-error'));";

/// Whether every diagram drawn before [`MARK_DRAWN`] has been drawn again, and the pass is over
/// (nothing of Mermaid's left outside the figures).
fn all_redrawn(state: &Value) -> bool {
    state["drawnBefore"] == json!(0)
        && state["figures"].as_array().map(Vec::len) == Some(2)
        && state["errors"].as_array().map(Vec::len) == Some(1)
        && state["strays"] == json!([])
}

/// The relative luminance of a computed `rgb(r, g, b)` colour (2 for anything else).
fn luminance(colour: &Value) -> f64 {
    let channels: Vec<f64> = colour
        .as_str()
        .and_then(|c| {
            c.strip_prefix("rgb(")?
                .strip_suffix(')')
                .map(str::to_string)
        })
        .map(|c| {
            c.split(',')
                .filter_map(|n| n.trim().parse::<f64>().ok())
                .collect()
        })
        .unwrap_or_default();
    if channels.len() != 3 {
        return 2.0;
    }
    let linear = |v: f64| {
        let v = v / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_page_without_a_diagram_loads_neither_script() {
    let tools = browser::tools_or_fail();
    let site = built();
    let scripts = diagram_scripts(&site);
    let server = StaticServer::start(&site.out);
    let diagram_requests = || -> Vec<String> {
        server
            .requests()
            .into_iter()
            .filter(|request| request.contains("/diagrams/"))
            .collect()
    };
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        browser.goto(&server.url(PLAIN_PAGE)).await;
        let plain = browser
            .wait_for(&format!("{PLAIN_PAGE} loaded"), DIAGRAM_STATE, |state| {
                Ok(state["ready"] == json!(true))
            })
            .await;
        let mut problems = clean(PLAIN_PAGE, &plain);
        let named: Vec<&Value> = plain["scripts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|src| {
                src.as_str()
                    .is_some_and(|s| s.contains("diagrams") || s.contains("mermaid"))
            })
            .collect();
        if !named.is_empty() || plain["api"] != json!(false) || plain["mermaid"] != json!(false) {
            problems.push(format!(
                "expected no diagram script on {PLAIN_PAGE}, found the elements {named:?} (window.handbookDiagrams: {}, window.mermaid: {})",
                plain["api"], plain["mermaid"]
            ));
        }
        let timed: Vec<&Value> = plain["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| {
                entry["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/diagrams/"))
            })
            .collect();
        if !timed.is_empty() || !diagram_requests().is_empty() {
            problems.push(format!(
                "expected no request for a diagram script from {PLAIN_PAGE}, found the resource timing entries {timed:?} and the requests {:?}",
                diagram_requests()
            ));
        }
        assert_none(&problems, &plain);

        // The same checks see the scripts of the diagram page.
        let drawn = open_drawn(&browser, &server.url(DIAGRAM_PAGE)).await;
        let mut timed: Vec<String> = drawn["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| entry["url"].as_str())
            .filter(|url| url.contains("/diagrams/"))
            .map(str::to_string)
            .collect();
        timed.sort();
        let mut scripts = scripts.to_vec();
        scripts.sort();
        assert_eq!(
            timed, scripts,
            "expected the diagram page's resource timing entries for the diagram scripts, found {timed:?}"
        );
        browser.close().await;
    });
    drop(server);
}

/// The files of the output of `site` that are diagram assets: in `diagrams/`, or named
/// after Mermaid; sorted.
fn diagram_files(site: &BuiltSite) -> Vec<String> {
    snapshot(&site.out)
        .into_keys()
        .filter(|path| !path.ends_with('/'))
        .filter(|path| path.starts_with("diagrams/") || path.contains("mermaid"))
        .collect()
}

#[test]
fn a_site_without_a_diagram_writes_no_diagram_file() {
    let site = Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/plain.md", plain_page())
        .build();
    let found = diagram_files(&site);
    assert!(
        found.is_empty(),
        "expected no diagrams/ file in the output of a site without a diagram, found {found:?}"
    );
    let headers = site.file("_headers");
    assert!(
        !headers.contains("diagrams"),
        "expected no rule for a diagram file in _headers, found:\n{headers}"
    );
    for (path, html) in site.html_files() {
        let page = scraper::Html::parse_document(&html);
        let scripts = select_attrs(&page, "script[src]", "src");
        assert!(
            !scripts.iter().any(|src| src.contains("diagrams")),
            "expected no diagram script in {path}, found {scripts:?}"
        );
    }
    // The check sees the files of a site with a diagram.
    let with = built();
    let found = diagram_files(&with);
    let scripts = diagram_scripts(&with).map(|path| path[1..].to_string());
    assert!(
        scripts.iter().all(|script| found.contains(script)),
        "expected the diagram scripts {scripts:?} in the output of a site with a diagram, found {found:?}"
    );
}

/// Mermaid written in a page's text (not a ```mermaid block) makes no diagram.
#[test]
fn a_site_that_only_mentions_mermaid_writes_no_diagram_file() {
    let site = Fixture::new()
        .file(
            "content/index.md",
            page(
                "Home",
                "We draw our diagrams with Mermaid: see the `mermaid` docs, or [mermaid.js.org](https://mermaid.js.org/).",
            ),
        )
        .build();
    let pages = site.html_files();
    let sources: usize = pages
        .iter()
        .map(|(_, html)| select(&scraper::Html::parse_document(html), "pre[data-diagram]").len())
        .sum();
    assert_eq!(sources, 0, "expected no diagram in the pages");
    let found = diagram_files(&site);
    assert!(
        found.is_empty(),
        "expected no diagrams/ file in the output of a site that mentions Mermaid in its text but has no diagram, found {found:?}"
    );
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn without_javascript_the_source_of_a_diagram_is_readable_text() {
    let tools = browser::tools_or_fail();
    let site = built();
    let sources = [flowchart(LABEL), SEQUENCE.to_string(), BROKEN.to_string()];

    // In the built page: each source as it was written, in a <pre>.
    let written: Vec<String> = select(&site.page(DIAGRAM_PAGE), "pre.mermaid-source[data-diagram]")
        .into_iter()
        .map(|pre| pre.text().collect())
        .collect();
    assert_eq!(
        written, sources,
        "expected the three sources as written in pre.mermaid-source[data-diagram] of the built page"
    );

    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        browser
            .devtools(
                "Emulation.setScriptExecutionDisabled",
                json!({ "value": true }),
            )
            .await;
        browser.goto(&server.url(DIAGRAM_PAGE)).await;
        let state = browser
            .wait_for(
                &format!("{DIAGRAM_PAGE} loaded without JavaScript"),
                DIAGRAM_STATE,
                |state| Ok(state["ready"] == json!(true)),
            )
            .await;
        let mut problems = Vec::new();
        if state["api"] != json!(false) || state["figures"] != json!([]) {
            problems.push(format!(
                "expected no script run and no figure without JavaScript, found window.handbookDiagrams {} and the figures {}",
                state["api"], state["figures"]
            ));
        }
        let shown = state["sources"].as_array().cloned().unwrap_or_default();
        if shown.len() != sources.len() {
            problems.push(format!(
                "expected {} diagram sources in the page, found {}",
                sources.len(),
                state["sources"]
            ));
        }
        for (pre, source) in shown.iter().zip(&sources) {
            // innerText is the text as laid out: hidden, or run into one line, it differs.
            let text = pre["shown"].as_str().unwrap_or_default();
            let sized = pre["size"]
                .as_array()
                .is_some_and(|s| s.iter().all(|n| n.as_f64() > Some(0.0)));
            if text.trim_end() != source.trim_end() || !sized {
                problems.push(format!(
                    "expected the source shown as written, line by line:\n{source}\nfound {text:?} in a box of {} px (white-space: {})",
                    pre["size"], pre["whiteSpace"]
                ));
            }
        }
        assert_none(&problems, &state);
        browser.close().await;
    });
    drop(server);
}

/// axe's violations on the page in the browser, once its diagrams are drawn: axe-core's
/// script run in the page by WebDriver (which the page's CSP does not apply to).
async fn axe_violations(browser: &Browser, axe: &str) -> Vec<String> {
    browser.run(axe).await;
    let script = r#"
var done = arguments[arguments.length - 1];
axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "best-practice"] }).then(function (result) {
  done(result.violations.map(function (v) {
    var node = v.nodes[0];
    return v.id + " (" + v.impact + ", " + v.nodes.length + " elements): " + v.help + "; first: " +
      node.target.join(" ") + ": " + node.failureSummary.replace(/\s+/g, " ");
  }));
}, function (error) { done(["axe failed: " + error]); });
"#;
    match browser.client.execute_async(script, vec![]).await {
        Ok(Value::Array(found)) => found.iter().map(|v| v.to_string()).collect(),
        Ok(other) => vec![format!("axe returned {other}")],
        Err(err) => browser.fail("running axe", &err.to_string()),
    }
}

#[test]
#[cfg_attr(
    not(all(has_browser, has_axe)),
    ignore = "needs Chromium, chromedriver, Node.js and tests/browser/node_modules: apt-get install chromium chromium-driver nodejs; npm ci --prefix tests/browser"
)]
fn the_diagram_page_passes_axe_light_and_dark() {
    let tools = browser::tools_or_fail();
    let browser_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let axe_path = browser_dir.join("node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|err| {
        panic!(
            "expected {} (npm ci --prefix tests/browser), found none: {err}",
            axe_path.display()
        )
    });
    let site = built();
    // Without the Content-Security-Policy of `_headers`, which would block axe's script.
    let server = StaticServer::without_headers(&site.out);

    // As accessibility.rs runs it: light and dark, wide and narrow.
    let audit = Command::new("node")
        .arg(browser_dir.join("audit.js"))
        .arg(server.url(""))
        .args([DIAGRAM_PAGE, PLAIN_PAGE])
        .output()
        .expect("run node tests/browser/audit.js");
    let mut problems: Vec<String> = String::from_utf8_lossy(&audit.stdout)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            format!("audit.js: expected no accessibility problem or console error, found {line}")
        })
        .collect();
    if !audit.status.success() {
        problems.push(format!(
            "audit.js: expected it to run to its end, found {}: {}",
            audit.status,
            String::from_utf8_lossy(&audit.stderr)
        ));
    }

    // Again once the diagrams are drawn, which audit.js does not wait for.
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        for scheme in ["light", "dark"] {
            for width in [1400, 390] {
                let what = format!("{scheme} {width}px");
                browser
                    .devtools(
                        "Emulation.setDeviceMetricsOverride",
                        json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
                    )
                    .await;
                emulate(&browser, scheme).await;
                let state = open_drawn(&browser, &server.url(DIAGRAM_PAGE)).await;
                problems.extend(drawn_problems(&what, &state, LABEL));
                for violation in axe_violations(&browser, &axe).await {
                    problems.push(format!(
                        "{what}, drawn: expected no axe violation, found {violation}"
                    ));
                }
            }
        }
        browser.close().await;
    });
    drop(server);
    assert!(
        problems.is_empty(),
        "{} accessibility problems on {DIAGRAM_PAGE} and {PLAIN_PAGE}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn handbook_serve_draws_a_saved_change_to_a_diagram() {
    let tools = browser::tools_or_fail();
    let fixture = fixture();
    let server = Served::start(&fixture.root(), &[]);
    browser::block_on(async {
        let mut browser = watched_browser(&tools).await;
        browser.on_failure(server.printed());
        let first = open_drawn(&browser, &format!("{}{DIAGRAM_PAGE}", server.url)).await;
        assert_none(&drawn_problems("served", &first, LABEL), &first);

        fixture.save("content/release-flow.md", &diagram_page(NEW_LABEL));
        let saved = browser
            .wait_for(
                &format!("the flowchart drawn with its new label {NEW_LABEL:?}"),
                DIAGRAM_STATE,
                |state| {
                    let text = state["figures"][0]["text"].as_str().unwrap_or_default();
                    Ok(text.contains(NEW_LABEL)
                        && state["done"]["settled"] == json!(true)
                        && state["sources"] == json!([]))
                },
            )
            .await;
        let mut problems = drawn_problems("served, saved", &saved, NEW_LABEL);
        let text = saved["figures"][0]["text"].as_str().unwrap_or_default();
        if text.contains(LABEL) {
            problems.push(format!(
                "served, saved: expected the old label {LABEL:?} gone, found the flowchart's text {text:?}"
            ));
        }
        assert_none(&problems, &saved);
        browser.close().await;
    });
    drop(server);
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn handbook_serve_draws_the_first_diagram_saved_into_a_site() {
    let tools = browser::tools_or_fail();
    let fixture = Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file("content/release-flow.md", plain_page());
    let server = Served::start(&fixture.root(), &[]);
    browser::block_on(async {
        let mut browser = watched_browser(&tools).await;
        browser.on_failure(server.printed());
        let url = format!("{}{DIAGRAM_PAGE}", server.url);
        browser.goto(&url).await;
        let before = browser
            .wait_for("the page without a diagram", DIAGRAM_STATE, |state| {
                Ok(state["ready"] == json!(true))
            })
            .await;
        assert_eq!(
            (&before["api"], &before["sources"]),
            (&json!(false), &json!([])),
            "expected no diagram and no diagram script before the save; the page: {before}"
        );

        fixture.save("content/release-flow.md", &diagram_page(LABEL));
        let saved = browser
            .wait_for(
                "the diagrams of the saved page drawn",
                DIAGRAM_STATE,
                |state| {
                    if state["ready"] == json!(true)
                        && state["sources"].as_array().is_some_and(|s| !s.is_empty())
                        && state["api"] != json!(true)
                    {
                        return Err(format!(
                            "expected window.handbookDiagrams on the saved page, found none; its scripts: {}; console errors: {}",
                            state["scripts"], state["consoleErrors"]
                        ));
                    }
                    Ok(state["done"]["settled"] == json!(true))
                },
            )
            .await;
        assert_none(
            &drawn_problems("served, first diagram", &saved, LABEL),
            &saved,
        );
        browser.close().await;
    });
    drop(server);
}

/// The ways of writing a diagram that the Markdown side takes as one (a fenced block whose
/// language is `mermaid` in any case), each the only diagram of its site.
const FENCES: &[(&str, &str)] = &[
    (
        "```Mermaid",
        "```Mermaid\nflowchart LR\n  A[Write] --> B[Publish]\n```",
    ),
    (
        "```MerMaid",
        "```MerMaid\nflowchart LR\n  A[Write] --> B[Publish]\n```",
    ),
    (
        "~~~mermaid",
        "~~~mermaid\nflowchart LR\n  A[Write] --> B[Publish]\n~~~",
    ),
    (
        "in a quote",
        "> ```mermaid\n> flowchart LR\n>   A[Write] --> B[Publish]\n> ```",
    ),
    (
        "on a list item's first line",
        "1. ```mermaid\n   flowchart LR\n     A[Write] --> B[Publish]\n   ```",
    ),
];

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_diagram_however_its_fence_is_written_is_drawn_in_a_site_with_no_other() {
    let tools = browser::tools_or_fail();
    let sites: Vec<(&str, BuiltSite)> = FENCES
        .iter()
        .map(|(name, markdown)| {
            let site = Fixture::new()
                .file("content/index.md", page("Home", markdown))
                .build();
            (*name, site)
        })
        .collect();
    browser::block_on(async {
        let browser = watched_browser(&tools).await;
        let mut problems = Vec::new();
        for (name, site) in &sites {
            let sources = select(&site.page("/"), "pre[data-diagram]").len();
            if sources != 1 {
                problems.push(format!(
                    "{name}: expected the block in the built page as a diagram source, found {sources} pre[data-diagram]"
                ));
                continue;
            }
            let server = StaticServer::start(&site.out);
            browser.goto(&server.url("/")).await;
            let loaded = browser
                .wait_for(
                    &format!("{name}: the page loaded"),
                    DIAGRAM_STATE,
                    |state| Ok(state["ready"] == json!(true)),
                )
                .await;
            let state = if loaded["api"] == json!(true) {
                wait_drawn(&browser, &format!("{name}: the diagram drawn")).await
            } else {
                loaded
            };
            let failed: Vec<String> = server
                .requests()
                .into_iter()
                .filter(|request| !request.ends_with("-> 200"))
                .collect();
            if !failed.is_empty() || state["figures"].as_array().map(Vec::len) != Some(1) {
                problems.push(format!(
                    "{name}: expected the diagram drawn, its scripts served, found the figures {}, the sources left {}, the requests that failed {failed:?} (the page's scripts: {}; diagram files written: {:?})",
                    state["figures"],
                    state["sources"],
                    state["scripts"],
                    diagram_files(site)
                ));
            }
            problems.extend(clean(name, &state));
        }
        assert!(
            problems.is_empty(),
            "{} problems with the {} ways of writing a diagram:\n{}",
            problems.len(),
            FENCES.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
}
