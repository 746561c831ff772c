//! The default theme on any screen (templates/, static/theme.css, static/theme.js) in headless
//! Chromium, served as Netlify serves it (with the `_headers` the build wrote, so its
//! Content-Security-Policy applies), on this repository's own handbook and on a small fixture
//! site with what widens a page (a table of six columns, long code lines, a code block in a
//! nested list, in a quote and in a callout):
//!
//! - every page, at 390, 768 and 1366 px, light and dark, is no wider than the screen, and no
//!   element of `main` sticks out of it (unless it is inside something that scrolls); a
//!   screenshot of the home page and of a content page at each width and in each mode, kept in
//!   a temporary folder (`THEME_SCREENSHOTS=1` keeps it, and prints where), is the size of the
//!   screen, and darker in dark mode;
//! - the site title is whole (no ellipsis) on a phone and a tablet, on the header's first row
//!   with the search box below it, also while the search box has the focus;
//! - "On this page" below 75rem is a closed `<details>` in the article that opens on a click to
//!   the links to the page's headings, and the right-hand column is not shown; at 1366 px it is
//!   the other way round;
//! - the Copy button of a code block is reached with Tab, copies on Enter and on a click, says
//!   "Copied", and so does the status region; the clipboard holds the code's text;
//! - a heading's "#" anchor is invisible until the heading is hovered or the anchor focused;
//! - a table wider than the text scrolls in its box on a phone, can be focused to scroll with
//!   the keyboard, and keeps its first column in place while it scrolls;
//! - a code block in a nested list, a quote or a callout keeps its borders on a phone, inside
//!   the screen; only one of the text itself runs to the screen's edges.
//!
//! Needs Chromium and chromedriver: see tests/testsuite/support/browser.rs. Without them the
//! tests show as ignored (build.rs); on CI (`CI` set) they fail.

use crate::support::browser::{self, Browser};
use crate::support::{BuiltSite, Fixture, StaticServer, page};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// The screens, in CSS pixels: a phone, a tablet (portrait), a laptop.
const SCREENS: [(u64, u64); 3] = [(390, 844), (768, 1024), (1366, 768)];

/// The widths below 75rem, where "On this page" is in the article.
const NARROW: [(u64, u64); 2] = [SCREENS[0], SCREENS[1]];

const PHONE: (u64, u64) = SCREENS[0];
const LAPTOP: (u64, u64) = SCREENS[2];

/// The title of this repository's handbook (handbook.yml).
const TITLE: &str = "Meltano Handbook";

/// A page of this handbook with headings, code blocks and a table.
const CONTENT_PAGE: &str = "/engineering/release-process/";

/// The code blocks of the fixture's `/code/` page, in order: of the text itself, in a nested
/// list, in a quote, in a callout.
const TOP_CODE: &str = "handbook build --root /a/rather/long/path/to/a/handbook/that/goes/on/and/on --output-dir /another/long/path/for/the/output/of/the/build";
const LIST_CODE: &str = "handbook build --root /a/rather/long/path/to/a/handbook/in/a/nested/list --output-dir /tmp/out";
const QUOTE_CODE: &str =
    "handbook check --root /a/rather/long/path/to/a/handbook/in/a/quote/that/goes/on";
const CALLOUT_CODE: &str =
    "handbook check --root /a/rather/long/path/to/a/handbook/in/a/callout/that/goes/on";

/// A small site with what makes a page wide: a table of six columns and a narrow one
/// (`/tables/`); long code lines, of the text, in a nested list, a quote and a callout
/// (`/code/`).
fn reading_site() -> BuiltSite {
    let wide_row = |service: &str| {
        format!(
            "| {service} | Platform and infrastructure team | PagerDuty primary rotation, then the secondary | runbooks/{service}-incident-response | Grafana: {service} overview, latency and errors | Deploys on Tuesdays and Thursdays only |"
        )
    };
    let tables = format!(
        "Text before the tables, long enough to wrap on a phone and to fill the column of text \
         on a laptop.\n\n\
         ## Owners\n\n\
         | Service | Owner | Escalation | Runbook | Dashboard | Notes |\n\
         |---|---|---|---|---|---|\n\
         {}\n{}\n{}\n{}\n\n\
         ## Short\n\n\
         | Key | Value |\n|---|---|\n| a | 1 |\n| b | 2 |\n\n\
         ## Notes\n\nText after the tables.\n",
        wide_row("billing-api"),
        wide_row("search-indexer"),
        wide_row("auth-gateway"),
        wide_row("mailer")
    );
    let code = format!(
        "Text before the code.\n\n\
         ## A command\n\n\
         ```sh\n{TOP_CODE}\n```\n\n\
         ## Steps\n\n\
         1. Install the tool.\n\
         2. Build the site:\n   \
            - from the folder of the handbook:\n\n     \
              ```sh\n     {LIST_CODE}\n     ```\n\n   \
            - then look at it.\n\n\
         ## Quoted\n\n\
         > Run this first:\n>\n> ```sh\n> {QUOTE_CODE}\n> ```\n\n\
         ## In a callout\n\n\
         :::warning[Before you deploy]\nRun this:\n\n```sh\n{CALLOUT_CODE}\n```\n:::\n\n\
         Text after the code.\n"
    );
    Fixture::new()
        .file(
            "content/index.md",
            "# Home\n\nSee the [tables](/tables/) and the [code](/code/).\n",
        )
        .file("content/tables.md", page("Tables", &tables))
        .file("content/code.md", page("Code", &code))
        .build()
}

/// Sets the size of the page's window, in CSS pixels, one device pixel each.
async fn screen(browser: &Browser, (width, height): (u64, u64)) {
    browser
        .devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
}

/// Emulates `prefers-color-scheme: scheme` (`light` or `dark`).
async fn scheme(browser: &Browser, scheme: &str) {
    browser
        .devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await;
}

/// Whether the page has loaded, its theme script ran and its fonts are there, at which width
/// and in which mode.
const READY: &str = r#"
return {
  ready: document.readyState === "complete",
  script: document.documentElement.classList.contains("js"),
  fonts: !document.fonts || document.fonts.status === "loaded",
  dark: matchMedia("(prefers-color-scheme: dark)").matches,
  width: window.innerWidth,
};
"#;

/// Opens `path` and waits until it is ready ([`READY`]) at `width`, in `scheme`.
async fn open(browser: &Browser, server: &StaticServer, path: &str, width: u64, scheme: &str) {
    browser.goto(&server.url(path)).await;
    browser
        .wait_for(
            &format!("{path} loaded with its theme script at {width} px, {scheme}"),
            READY,
            |page| {
                Ok(page["ready"] == json!(true)
                    && page["script"] == json!(true)
                    && page["fonts"] == json!(true)
                    && page["dark"] == json!(scheme == "dark")
                    && page["width"] == json!(width))
            },
        )
        .await;
}

/// Moves the mouse over the element `css` finds, `x` px right of its centre.
async fn hover(browser: &Browser, css: &str, x: f64) {
    let element = match browser.client.find(Locator::Css(css)).await {
        Ok(element) => element,
        Err(err) => browser.fail(&format!("finding {css}"), &err.to_string()),
    };
    let moves = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element,
        duration: Some(Duration::from_millis(50)),
        x,
        y: 0.0,
    });
    if let Err(err) = browser.client.perform_actions(moves).await {
        browser.fail(&format!("moving the mouse over {css}"), &err.to_string());
    }
}

/// Moves the mouse to `(x, y)` of the window.
async fn mouse_to(browser: &Browser, x: f64, y: f64) {
    let moves = MouseActions::new("mouse".into()).then(PointerAction::MoveTo {
        duration: Some(Duration::from_millis(50)),
        x,
        y,
    });
    if let Err(err) = browser.client.perform_actions(moves).await {
        browser.fail(&format!("moving the mouse to {x}, {y}"), &err.to_string());
    }
}

/// Presses Tab until `script` (a function body returning a boolean) says the focus is where
/// it should be; fails after 80 presses, naming where the focus went.
async fn tab_to(browser: &Browser, what: &str, script: &str) {
    for _ in 0..80 {
        if browser.run(script).await == json!(true) {
            return;
        }
        browser.press(Key::Tab).await;
    }
    let focused = browser
        .run("var el = document.activeElement; return el ? el.outerHTML.slice(0, 120) : null;")
        .await;
    browser.fail(
        &format!("Tab to {what}"),
        &format!("expected to reach it within 80 presses of Tab, found the focus on {focused}"),
    );
}

// ------------------------------------------------------------------ every page fits the screen

/// What sticks out of the screen: the page's and the window's widths, and every element of
/// `main` (and `main` itself) whose box goes past the window's right edge (or its left one),
/// unless an ancestor scrolls sideways (`overflow-x: auto` or `scroll`), as the outermost
/// such elements (their children stick out with them) and how many there are in all.
const FIT: &str = r##"
var root = document.documentElement;
var right = root.clientWidth;
function name(el) {
  var s = el.tagName.toLowerCase();
  if (el.id) { s += "#" + el.id; }
  var classes = typeof el.className === "string" ? el.className.trim() : "";
  if (classes) { s += "." + classes.split(/\s+/).join("."); }
  return s;
}
function inScroller(el) {
  for (var node = el.parentElement; node; node = node.parentElement) {
    var overflow = getComputedStyle(node).overflowX;
    if (overflow === "auto" || overflow === "scroll") { return true; }
  }
  return false;
}
function sticksOut(el) {
  var r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && (r.right > right + 0.5 || r.left < -0.5) && !inScroller(el);
}
var main = document.querySelector("main");
var all = main ? [main].concat(Array.from(main.querySelectorAll("*"))) : [];
var out = all.filter(sticksOut);
var outermost = out.filter(function (el) { return el === main || out.indexOf(el.parentElement) < 0; });
return {
  main: !!main,
  clientWidth: right,
  scrollWidth: root.scrollWidth,
  innerWidth: window.innerWidth,
  background: getComputedStyle(document.body).backgroundColor,
  count: out.length,
  offenders: outermost.map(function (el) {
    var r = el.getBoundingClientRect();
    return name(el) + " from " + Math.floor(r.left) + " to " + Math.ceil(r.right) + " px (" +
      Math.round(r.width) + " px wide): " + JSON.stringify((el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 50));
  }),
};
"##;

/// What is wrong with a page at `width` in `mode` that [`FIT`] measured, one line each.
fn fit_problems(what: &str, fit: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if fit["main"] != json!(true) {
        problems.push(format!("{what}: expected a <main>, found none"));
    }
    let (scroll, client) = (&fit["scrollWidth"], &fit["clientWidth"]);
    if scroll.as_u64() > client.as_u64() {
        problems.push(format!(
            "{what}: expected no horizontal scroll, found the page {scroll} px wide in a window of {client} px"
        ));
    }
    if fit["count"] != json!(0) {
        problems.push(format!(
            "{what}: expected every element of main within the {client} px window, found {} sticking out, the outermost: {}",
            fit["count"],
            fit["offenders"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    problems
}

/// A screenshot's size and mean luminance (0 black, 1 white), read from its PNG.
struct Shot {
    width: u32,
    height: u32,
    luminance: f64,
}

/// Reads a PNG of 8-bit RGB or RGBA, not interlaced (what Chromium writes): its size and mean
/// luminance, or what the test cannot read.
fn read_png(png: &[u8]) -> Result<Shot, String> {
    let mut rest = png
        .strip_prefix(b"\x89PNG\r\n\x1a\n".as_slice())
        .ok_or("not a PNG signature")?;
    let (mut header, mut data) = (None, Vec::new());
    while rest.len() >= 12 {
        let length = u32::from_be_bytes(rest[0..4].try_into().unwrap()) as usize;
        let kind = &rest[4..8];
        let body = rest.get(8..8 + length).ok_or("a chunk cut short")?;
        match kind {
            b"IHDR" => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            _ => {}
        }
        rest = &rest[(12 + length).min(rest.len())..];
    }
    let header = header.ok_or("no IHDR chunk")?;
    let number = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().unwrap());
    let (width, height) = (number(0), number(4));
    let (depth, colour, interlace) = (header[8], header[9], header[12]);
    let channels = match (depth, colour, interlace) {
        (8, 2, 0) => 3,
        (8, 6, 0) => 4,
        _ => {
            return Err(format!(
                "depth {depth}, colour type {colour}, interlace {interlace}"
            ));
        }
    };
    let mut pixels = Vec::new();
    flate2::read::ZlibDecoder::new(data.as_slice())
        .read_to_end(&mut pixels)
        .map_err(|err| format!("cannot inflate the image data: {err}"))?;
    let stride = width as usize * channels;
    if pixels.len() != (stride + 1) * height as usize {
        return Err(format!(
            "{} bytes of image data for {width}x{height}",
            pixels.len()
        ));
    }
    let mut previous = vec![0u8; stride];
    let mut row = vec![0u8; stride];
    let mut total = 0.0;
    for line in pixels.chunks(stride + 1) {
        let (filter, raw) = (line[0], &line[1..]);
        for i in 0..stride {
            let left = if i >= channels { row[i - channels] } else { 0 };
            let up = previous[i];
            let corner = if i >= channels {
                previous[i - channels]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((left as u16 + up as u16) / 2) as u8,
                4 => {
                    let p = left as i16 + up as i16 - corner as i16;
                    let (pa, pb, pc) = (
                        (p - left as i16).abs(),
                        (p - up as i16).abs(),
                        (p - corner as i16).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        left
                    } else if pb <= pc {
                        up
                    } else {
                        corner
                    }
                }
                other => return Err(format!("filter type {other}")),
            };
            row[i] = raw[i].wrapping_add(predicted);
        }
        for pixel in row.chunks(channels) {
            let [r, g, b] = [pixel[0], pixel[1], pixel[2]].map(|c| c as f64 / 255.0);
            total += 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        std::mem::swap(&mut previous, &mut row);
    }
    Ok(Shot {
        width,
        height,
        luminance: total / (width as f64 * height as f64),
    })
}

/// Takes a screenshot of the window into `folder` as `name.png`, and reads it back.
async fn screenshot(browser: &Browser, folder: &Path, name: &str) -> Result<Shot, String> {
    let png = match browser.client.screenshot().await {
        Ok(png) => png,
        Err(err) => browser.fail(&format!("the screenshot {name}"), &err.to_string()),
    };
    std::fs::write(folder.join(format!("{name}.png")), &png).unwrap();
    read_png(&png)
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn every_page_fits_the_screen_at_every_width_light_and_dark() {
    let tools = browser::tools_or_fail();
    let handbook = Fixture::this_handbook().build();
    let fixture = reading_site();
    let sites = [
        (
            "the handbook",
            StaticServer::start(&handbook.out),
            handbook.page_urls(),
        ),
        (
            "the fixture",
            StaticServer::start(&fixture.out),
            fixture.page_urls(),
        ),
    ];
    assert!(
        sites[0].2.len() >= 10 && sites[0].2.iter().any(|url| url == CONTENT_PAGE),
        "expected the pages of this handbook, {CONTENT_PAGE} among them, found {:?}",
        sites[0].2
    );
    let shots = tempfile::Builder::new()
        .prefix("theme-screenshots-")
        .tempdir()
        .unwrap();
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        let mut problems = Vec::new();
        // The mean luminance of each screenshot, by page, width and mode.
        let mut luminance = Vec::new();
        let mut pages = 0;
        for (width, height) in SCREENS {
            screen(&browser, (width, height)).await;
            for mode in ["light", "dark"] {
                scheme(&browser, mode).await;
                for (site, server, urls) in &sites {
                    for url in urls {
                        open(&browser, server, url, width, mode).await;
                        let fit = browser.run(FIT).await;
                        pages += 1;
                        let what = format!("{url} of {site} at {width} px, {mode}");
                        problems.extend(fit_problems(&what, &fit));
                        if *site != "the handbook" || !["/", CONTENT_PAGE].contains(&url.as_str()) {
                            continue;
                        }
                        let stem = match url.trim_matches('/') {
                            "" => "home".to_string(),
                            path => path.replace('/', "-"),
                        };
                        let name = format!("{stem}-{width}-{mode}");
                        match screenshot(&browser, shots.path(), &name).await {
                            Ok(shot) => {
                                if (shot.width as u64, shot.height as u64) != (width, height) {
                                    problems.push(format!(
                                        "{what}: expected a screenshot of {width}x{height} px, found {}x{} px",
                                        shot.width, shot.height
                                    ));
                                }
                                luminance.push((url.clone(), width, mode, shot.luminance));
                            }
                            Err(why) => problems.push(format!(
                                "{what}: cannot read the screenshot {name}.png: {why}"
                            )),
                        }
                    }
                }
            }
        }

        // The screenshots: dark mode is dark.
        for (url, width, mode, light) in &luminance {
            if *mode != "light" {
                continue;
            }
            let dark = luminance
                .iter()
                .find(|(u, w, m, _)| u == url && w == width && *m == "dark")
                .map(|shot| shot.3);
            if !dark.is_some_and(|dark| dark < 0.35 && *light > 0.65) {
                problems.push(format!(
                    "{url} at {width} px: expected a light screenshot (mean luminance over 0.65) and a dark one (under 0.35), found {light:.3} and {dark:?}"
                ));
            }
        }

        // The check can fail: something too wide added to the last page is found.
        browser
            .run(
                "var wide = document.createElement('div'); wide.className = 'too-wide'; \
                 wide.style.width = (innerWidth + 300) + 'px'; wide.style.height = '10px'; \
                 document.querySelector('main').appendChild(wide);",
            )
            .await;
        let control = browser.run(FIT).await;
        let found = fit_problems("the control", &control).join("\n");
        if !found.contains("div.too-wide") || !found.contains("horizontal scroll") {
            problems.push(format!(
                "expected the check to find a div 300 px wider than the window added to a page, found: {control}"
            ));
        }

        if std::env::var_os("THEME_SCREENSHOTS").is_some() {
            let kept = shots.keep();
            eprintln!("the screenshots are in {}", kept.display());
        }
        assert!(
            problems.is_empty(),
            "{} problems in {pages} pages (the widths {:?}, light and dark):\n{}",
            problems.len(),
            SCREENS.map(|s| s.0),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(sites);
}

// ------------------------------------------------------------------ the header on a phone

/// The site title and the search box of the header, as laid out.
const HEADER: &str = r#"
var title = document.querySelector(".site-title__text");
var header = document.querySelector(".site-header");
var search = document.querySelector(".site-header .search-box");
function box(el) {
  if (!el) { return null; }
  var r = el.getBoundingClientRect();
  return { left: Math.floor(r.left), right: Math.ceil(r.right), top: Math.floor(r.top), bottom: Math.ceil(r.bottom), width: Math.round(r.width) };
}
var style = title ? getComputedStyle(title) : null;
return {
  text: title ? title.textContent.trim() : null,
  scrollWidth: title ? title.scrollWidth : null,
  clientWidth: title ? title.clientWidth : null,
  ellipsis: style ? style.textOverflow : null,
  title: box(title),
  search: box(search),
  header: box(header),
  // What else the header's bar shows: the menu button, the logo and links.
  others: Array.from(document.querySelectorAll(".site-header__inner > *")).filter(function (el) {
    var r = el.getBoundingClientRect();
    return el !== search && !el.contains(title) && r.width > 1 && r.height > 1 && getComputedStyle(el).visibility === "visible";
  }).map(function (el) {
    var r = el.getBoundingClientRect();
    return { what: el.tagName.toLowerCase() + "." + el.className.trim().split(/\s+/).join("."), top: Math.floor(r.top), bottom: Math.ceil(r.bottom) };
  }),
  window: document.documentElement.clientWidth,
  focused: document.activeElement ? document.activeElement.id : null,
};
"#;

/// What is wrong with the header [`HEADER`] measured at `width`, one line each.
fn header_problems(what: &str, width: u64, header: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if header["text"] != json!(TITLE) {
        problems.push(format!(
            "{what}: expected the site title {TITLE:?}, found {}",
            header["text"]
        ));
    }
    let (scroll, client) = (&header["scrollWidth"], &header["clientWidth"]);
    if !(client.as_u64() > Some(1) && scroll.as_u64() <= client.as_u64()) {
        problems.push(format!(
            "{what}: expected the whole title shown (its scrollWidth at most its clientWidth, text-overflow {}), found {scroll} px of text in {client} px",
            header["ellipsis"]
        ));
    }
    let (title, search, window) = (&header["title"], &header["search"], &header["window"]);
    if title["left"].as_i64() < Some(0) || title["right"].as_i64() > window.as_i64() {
        problems.push(format!(
            "{what}: expected the title within the {window} px window, found it from {} to {} px",
            title["left"], title["right"]
        ));
    }
    if width >= 800 {
        return problems;
    }
    if search.is_null() {
        problems.push(format!("{what}: expected a search box, found none"));
        return problems;
    }
    // The first row: the title and what is beside it; nothing has a row of its own.
    let below: Vec<String> = header["others"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|other| other["top"].as_i64() >= title["bottom"].as_i64())
        .map(|other| {
            format!(
                "{} from {} to {} px",
                other["what"].as_str().unwrap_or_default(),
                other["top"],
                other["bottom"]
            )
        })
        .collect();
    if !below.is_empty() {
        problems.push(format!(
            "{what}: expected the header's bar on the title's row (from {} to {} px) and the search box on the second row, found on a row of their own: {}; the search box from {} to {} px, the header {} px high",
            title["top"],
            title["bottom"],
            below.join(", "),
            search["top"],
            search["bottom"],
            header["header"]["bottom"].as_i64().unwrap_or_default()
                - header["header"]["top"].as_i64().unwrap_or_default()
        ));
    }
    if search["top"].as_i64() < title["bottom"].as_i64() {
        problems.push(format!(
            "{what}: expected the search box on a row below the title (its top at or below {} px), found its top at {} px",
            title["bottom"], search["top"]
        ));
    }
    if search["left"].as_i64() < Some(0)
        || search["right"].as_i64() > window.as_i64()
        || search["bottom"].as_i64() > header["header"]["bottom"].as_i64()
    {
        problems.push(format!(
            "{what}: expected the search box within the window's {window} px and the header (bottom {} px), found {search}",
            header["header"]["bottom"]
        ));
    }
    problems
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_site_title_is_whole_on_a_phone_and_a_tablet() {
    let tools = browser::tools_or_fail();
    let handbook = Fixture::this_handbook().build();
    let server = StaticServer::start(&handbook.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        let mut problems = Vec::new();
        for (width, height) in SCREENS {
            screen(&browser, (width, height)).await;
            for url in ["/", CONTENT_PAGE] {
                open(&browser, &server, url, width, "light").await;
                let what = format!("{url} at {width} px");
                problems.extend(header_problems(&what, width, &browser.run(HEADER).await));
                if width >= 800 {
                    continue;
                }
                // While the search box has the focus, the title stays.
                browser.click("#handbook\\:search").await;
                let header = browser.run(HEADER).await;
                if header["focused"] != json!("handbook:search") {
                    problems.push(format!(
                        "{what}: expected the focus in the search box after a click, found it on {}",
                        header["focused"]
                    ));
                }
                problems.extend(header_problems(
                    &format!("{what}, the search box focused"),
                    width,
                    &header,
                ));
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems with the header:\n{}",
            problems.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(server);
}

// ------------------------------------------------------------------ "On this page"

/// The two tables of contents of a page: the `<details>` in the article and the right-hand
/// column, whether they show, and their links; and the ids of the page's headings.
const TOC: &str = r#"
function shown(el) {
  if (!el) { return false; }
  var style = getComputedStyle(el), r = el.getBoundingClientRect();
  // (the content of a closed <details> has a box, but is not rendered: checkVisibility says so)
  var rendered = el.checkVisibility ? el.checkVisibility({ visibilityProperty: true }) : true;
  return rendered && style.display !== "none" && style.visibility === "visible" && r.width > 0 && r.height > 0;
}
function links(el) {
  return Array.from(el.querySelectorAll("a")).map(function (a) {
    return { href: a.getAttribute("href"), shown: shown(a) };
  });
}
var details = document.querySelector("details.toc-inline");
var aside = document.querySelector("aside.toc");
var summary = details ? details.querySelector("summary") : null;
return {
  details: details ? {
    inArticle: !!details.closest("article"),
    display: getComputedStyle(details).display,
    shown: shown(details),
    open: details.open,
    summary: summary ? summary.textContent.trim() : null,
    links: links(details),
  } : null,
  aside: aside ? { display: getComputedStyle(aside).display, shown: shown(aside), links: links(aside) } : null,
  headings: Array.from(document.querySelectorAll(".prose :is(h2, h3, h4, h5, h6)[id]")).map(function (h) {
    return { level: h.tagName.toLowerCase(), id: h.id };
  }),
};
"#;

/// Where the heading of the id `ID` is, below the header or under it, once the page has
/// stopped scrolling (`still`: at the same place as the last time this ran).
const LANDED: &str = r#"
var heading = document.getElementById(ID);
var header = document.querySelector(".site-header");
var y = window.scrollY, still = window.lastScrollY === y;
window.lastScrollY = y;
var r = heading.getBoundingClientRect();
return {
  hash: decodeURIComponent(location.hash),
  still: still && y > 0,
  heading: { top: Math.round(r.top), bottom: Math.round(r.bottom) },
  header: Math.round(header.getBoundingClientRect().bottom),
  position: getComputedStyle(header).position,
  window: window.innerHeight,
};
"#;

/// The `href`s of the links of a table of contents ([`TOC`]), and whether all, or none, are
/// shown.
fn toc_links(toc: &Value) -> (Vec<String>, bool, bool) {
    let links = toc["links"].as_array().cloned().unwrap_or_default();
    let hrefs = links
        .iter()
        .map(|l| l["href"].as_str().unwrap_or_default().to_string())
        .collect();
    let all = !links.is_empty() && links.iter().all(|l| l["shown"] == json!(true));
    let none = links.iter().all(|l| l["shown"] == json!(false));
    (hrefs, all, none)
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn on_this_page_opens_in_the_article_below_75rem_and_is_a_column_above() {
    let tools = browser::tools_or_fail();
    let handbook = Fixture::this_handbook().build();
    let server = StaticServer::start(&handbook.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        let mut problems = Vec::new();
        for (width, height) in NARROW {
            screen(&browser, (width, height)).await;
            open(&browser, &server, CONTENT_PAGE, width, "light").await;
            let what = format!("{CONTENT_PAGE} at {width} px");
            let before = browser.run(TOC).await;
            let details = &before["details"];
            let expected = json!({ "inArticle": true, "shown": true, "open": false, "summary": "On this page" });
            let found = json!({
                "inArticle": details["inArticle"],
                "shown": details["shown"],
                "open": details["open"],
                "summary": details["summary"],
            });
            if found != expected {
                problems.push(format!(
                    "{what}: expected \"On this page\" in the article, shown and closed ({expected}), found {found} (display {})",
                    details["display"]
                ));
                continue;
            }
            if !toc_links(details).2 {
                problems.push(format!(
                    "{what}: expected no link of the closed \"On this page\" shown, found {}",
                    details["links"]
                ));
            }
            if before["aside"]["shown"] != json!(false) {
                problems.push(format!(
                    "{what}: expected the right-hand aside.toc not shown, found it (display {})",
                    before["aside"]["display"]
                ));
            }
            browser.click("details.toc-inline > summary").await;
            let opened = browser
                .wait_for(
                    &format!("{what}: \"On this page\" opened by a click on its summary"),
                    TOC,
                    |page| Ok(page["details"]["open"] == json!(true)),
                )
                .await;
            let (hrefs, all_shown, _) = toc_links(&opened["details"]);
            if !all_shown {
                problems.push(format!(
                    "{what}: expected every link of the opened \"On this page\" shown, found {}",
                    opened["details"]["links"]
                ));
            }
            let headings: Vec<(String, String)> = opened["headings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|h| {
                    (
                        h["level"].as_str().unwrap_or_default().to_string(),
                        format!("#{}", h["id"].as_str().unwrap_or_default()),
                    )
                })
                .collect();
            let to_nowhere: Vec<&String> = hrefs
                .iter()
                .filter(|href| !headings.iter().any(|(_, id)| id == *href))
                .collect();
            let missing: Vec<&String> = headings
                .iter()
                .filter(|(level, id)| level == "h2" && !hrefs.contains(id))
                .map(|(_, id)| id)
                .collect();
            if hrefs.is_empty() || !to_nowhere.is_empty() || !missing.is_empty() {
                problems.push(format!(
                    "{what}: expected links to the page's headings, every h2 among them, found {hrefs:?}: to no heading {to_nowhere:?}, missing {missing:?} (the headings: {headings:?})"
                ));
            }
            let (aside, _, _) = toc_links(&opened["aside"]);
            if aside != hrefs {
                problems.push(format!(
                    "{what}: expected the same links as the right-hand column {aside:?}, found {hrefs:?}"
                ));
            }

            // Following a link shows its heading below the header, which stays at the top.
            let Some(href) = hrefs.get(hrefs.len() / 2) else {
                continue;
            };
            browser
                .click(&format!("details.toc-inline a[href=\"{href}\"]"))
                .await;
            let landed = browser
                .wait_for(
                    &format!("{what}: the page scrolled to {href} after a click on its link"),
                    &LANDED.replace("ID", &json!(&href[1..]).to_string()),
                    |page| Ok(page["hash"] == json!(href) && page["still"] == json!(true)),
                )
                .await;
            let (top, bottom) = (&landed["heading"]["top"], &landed["heading"]["bottom"]);
            let header = &landed["header"];
            if top.as_f64() < header.as_f64() || bottom.as_f64() > landed["window"].as_f64() {
                problems.push(format!(
                    "{what}: expected the heading {href} in view below the {} header (its bottom at {header} px) after a click on its link, found the heading from {top} to {bottom} px of the {} px window",
                    landed["position"], landed["window"]
                ));
            }
        }

        screen(&browser, LAPTOP).await;
        open(&browser, &server, CONTENT_PAGE, LAPTOP.0, "light").await;
        let wide = browser.run(TOC).await;
        let what = format!("{CONTENT_PAGE} at {} px", LAPTOP.0);
        if wide["details"]["display"] != json!("none") {
            problems.push(format!(
                "{what}: expected \"On this page\" in the article not displayed (display none), found display {}",
                wide["details"]["display"]
            ));
        }
        let (_, aside_shown, _) = toc_links(&wide["aside"]);
        if wide["aside"]["shown"] != json!(true) || !aside_shown {
            problems.push(format!(
                "{what}: expected the right-hand aside.toc shown with its links, found {}",
                wide["aside"]
            ));
        }
        assert!(
            problems.is_empty(),
            "{} problems with \"On this page\":\n{}",
            problems.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(server);
}

// ------------------------------------------------------------------ the copy button

/// The copy buttons of the page and the status region.
const COPY: &str = r#"
var status = document.querySelectorAll("[data-copy-status]");
return {
  hover: matchMedia("(hover: hover)").matches,
  // Transitions running (opacity): a value read in one is not the one it goes to.
  animations: document.getAnimations().length,
  pre: document.querySelectorAll(".prose pre").length,
  buttons: Array.from(document.querySelectorAll(".prose pre")).map(function (pre) {
    var block = pre.parentElement;
    var button = block && block.classList.contains("code-block") ? block.querySelector(":scope > button.copy-button") : null;
    return button ? {
      text: button.textContent.trim(),
      name: button.getAttribute("aria-label") || button.textContent.trim(),
      type: button.type,
      focused: document.activeElement === button,
      opacity: getComputedStyle(button).opacity,
    } : null;
  }),
  statuses: status.length,
  status: status.length ? { role: status[0].getAttribute("role"), text: status[0].textContent } : null,
};
"#;

/// Whether the `index`th button of [`COPY`] says "Copied" and the status region too.
fn copied(page: &Value, index: usize) -> bool {
    page["buttons"][index]["text"] == json!("Copied") && page["status"]["text"] == json!("Copied")
}

/// The clipboard's text, or why it cannot be read.
const READ_CLIPBOARD: &str = r#"
return navigator.clipboard.readText().then(
  function (text) { return { text: text }; },
  function (error) { return { error: String(error) }; }
);
"#;

/// What the clipboard holds, or a failure saying why it cannot be read.
async fn clipboard(browser: &Browser) -> String {
    let read = browser.run(READ_CLIPBOARD).await;
    match read["text"].as_str() {
        Some(text) => text.to_string(),
        None => browser.fail("reading the clipboard", &read.to_string()),
    }
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn the_copy_button_copies_a_code_block_with_the_keyboard_and_a_click() {
    let tools = browser::tools_or_fail();
    let site = reading_site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        browser
            .devtools(
                "Browser.grantPermissions",
                json!({
                    "origin": server.url(""),
                    "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
                }),
            )
            .await;
        screen(&browser, LAPTOP).await;
        open(&browser, &server, "/code/", LAPTOP.0, "light").await;
        let page = browser
            .wait_for("/code/ with no transition running", COPY, |page| {
                Ok(page["animations"] == json!(0))
            })
            .await;
        // Hidden until hovered or focused where there is a mouse; always shown on a touch
        // screen (`hover: none`, as headless Chromium says it is).
        let opacity = if page["hover"] == json!(true) {
            "0"
        } else {
            "1"
        };
        let button = json!({ "text": "Copy", "name": "Copy code", "type": "button", "focused": false, "opacity": opacity });
        let expected = json!({
            "hover": page["hover"],
            "animations": 0,
            "pre": 4,
            "buttons": [button, button, button, button],
            "statuses": 1,
            "status": { "role": "status", "text": "" },
        });
        assert_eq!(
            page, expected,
            "expected a Copy button on each of the 4 code blocks (opacity {opacity}: hover {}) and one empty status region, found {page}",
            page["hover"]
        );
        // Nothing copied yet: the clipboard holds something else.
        let written = browser
            .run("return navigator.clipboard.writeText('nothing copied yet').then(function () { return 'written'; }, String);")
            .await;
        assert_eq!(
            written,
            json!("written"),
            "expected the test to write to the clipboard, found {written}"
        );

        // Tab reaches the first button, which shows; Enter copies.
        tab_to(
            &browser,
            "the first Copy button",
            "return document.activeElement === document.querySelector('.prose .copy-button');",
        )
        .await;
        browser
            .wait_for("the focused Copy button shown (opacity 1)", COPY, |page| {
                Ok(page["buttons"][0]["opacity"] == json!("1") && page["animations"] == json!(0))
            })
            .await;
        browser.press(Key::Enter).await;
        browser
            .wait_for(
                "the first button and the status region saying \"Copied\" after Enter",
                COPY,
                |page| Ok(copied(page, 0)),
            )
            .await;
        let text = clipboard(&browser).await;
        assert_eq!(
            text.trim_end_matches('\n'),
            TOP_CODE,
            "expected the clipboard to hold the first code block after Enter on its button"
        );
        // It says "Copy" again after a while.
        browser
            .wait_for("the first button saying \"Copy\" again", COPY, |page| {
                Ok(page["buttons"][0]["text"] == json!("Copy"))
            })
            .await;

        // A click on the button of the code block in the nested list copies that one.
        hover(&browser, ".prose li .code-block", 0.0).await;
        browser.click(".prose li .copy-button").await;
        browser
            .wait_for(
                "the nested list's button and the status region saying \"Copied\" after a click",
                COPY,
                |page| Ok(copied(page, 1)),
            )
            .await;
        let text = clipboard(&browser).await;
        assert_eq!(
            text.trim_end_matches('\n'),
            LIST_CODE,
            "expected the clipboard to hold the nested list's code block after a click on its button"
        );
        browser.close().await;
    });
    drop(server);
}

// ------------------------------------------------------------------ heading anchors

/// The opacity of each heading anchor of the text, which has the focus, whose heading is
/// hovered; and how many transitions run (an opacity read in one is not the one it goes to).
const ANCHORS: &str = r#"
return {
  animations: document.getAnimations().length,
  anchors: Array.from(document.querySelectorAll(".prose .anchor")).map(function (a) {
    return {
      heading: a.parentElement.id,
      opacity: getComputedStyle(a).opacity,
      focused: document.activeElement === a,
      hovered: a.parentElement.matches(":hover"),
    };
  }),
};
"#;

/// The opacities of [`ANCHORS`], by heading id.
fn opacities(anchors: &Value) -> Vec<(String, String)> {
    anchors["anchors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["heading"].as_str().unwrap_or_default().to_string(),
                a["opacity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Whether only the anchor of `shown` (or none) is opaque, the others invisible, and no
/// transition runs.
fn only(anchors: &Value, shown: Option<&str>) -> bool {
    let all = opacities(anchors);
    anchors["animations"] == json!(0)
        && !all.is_empty()
        && all.iter().all(|(heading, opacity)| {
            let expected = if Some(heading.as_str()) == shown {
                "1"
            } else {
                "0"
            };
            opacity == expected
        })
}

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_heading_anchor_shows_only_on_hover_or_focus() {
    let tools = browser::tools_or_fail();
    let site = reading_site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        screen(&browser, LAPTOP).await;
        open(&browser, &server, "/tables/", LAPTOP.0, "light").await;
        mouse_to(&browser, 2.0, 2.0).await;
        let anchors = browser
            .wait_for(
                "every heading anchor invisible (opacity 0) before anything is hovered or focused",
                ANCHORS,
                |anchors| Ok(only(anchors, None)),
            )
            .await;
        let headings: Vec<String> = opacities(&anchors).into_iter().map(|(h, _)| h).collect();
        assert_eq!(
            headings,
            ["owners", "short", "notes"],
            "expected an anchor on each heading of the text"
        );

        tab_to(
            &browser,
            "the first heading anchor",
            "return document.activeElement === document.querySelector('.prose .anchor');",
        )
        .await;
        browser
            .wait_for(
                "only the anchor of #owners shown (opacity 1) while it has the focus from Tab",
                ANCHORS,
                |anchors| Ok(only(anchors, Some("owners"))),
            )
            .await;
        browser
            .run("document.querySelector('#short .anchor').focus();")
            .await;
        browser
            .wait_for(
                "only the anchor of #short shown (opacity 1) after .focus()",
                ANCHORS,
                |anchors| Ok(only(anchors, Some("short"))),
            )
            .await;
        browser.run("document.activeElement.blur();").await;
        browser
            .wait_for(
                "every anchor invisible again (opacity 0) once nothing has the focus",
                ANCHORS,
                |anchors| Ok(only(anchors, None)),
            )
            .await;

        // The mouse over the text of the heading "Notes" (near its left end). The focus above
        // may have started a smooth scroll (`scroll-behavior: smooth`): a mouse placed while
        // the page moves ends up beside the heading. So the page is scrolled at once, and the
        // heading must stand still before the mouse goes there.
        browser
            .run(
                "document.documentElement.style.scrollBehavior = 'auto';
                 document.getElementById('notes').scrollIntoView({ block: 'center', behavior: 'instant' });",
            )
            .await;
        browser
            .wait_for(
                "the heading #notes standing still",
                "const top = () => document.getElementById('notes').getBoundingClientRect().top;
                 const before = top();
                 return new Promise((done) => requestAnimationFrame(() =>
                     requestAnimationFrame(() => done(top() === before))));",
                |still| Ok(still == &json!(true)),
            )
            .await;
        let half = browser
            .run("return document.getElementById('notes').getBoundingClientRect().width / 2;")
            .await
            .as_f64()
            .unwrap_or_default();
        hover(&browser, "#notes", 20.0 - half).await;
        browser
            .wait_for(
                "only the anchor of #notes shown (opacity 1) while the mouse is over its heading",
                ANCHORS,
                |anchors| Ok(only(anchors, Some("notes"))),
            )
            .await;
        mouse_to(&browser, 2.0, 2.0).await;
        browser
            .wait_for(
                "every anchor invisible again (opacity 0) once the mouse left the heading",
                ANCHORS,
                |anchors| Ok(only(anchors, None)),
            )
            .await;
        browser.close().await;
    });
    drop(server);
}

// ------------------------------------------------------------------ wide tables

/// The tables of the text: their size, scrolling and attributes, and the left edges of the
/// cells of their first two columns.
const TABLES: &str = r#"
function lefts(table, column) {
  return Array.from(table.querySelectorAll("tr > :nth-child(" + column + ")")).map(function (cell) {
    return Math.round(cell.getBoundingClientRect().left * 10) / 10;
  });
}
return Array.from(document.querySelectorAll(".prose table")).map(function (table) {
  var style = getComputedStyle(table), r = table.getBoundingClientRect();
  var first = table.querySelector("tr > :first-child");
  var cell = first ? getComputedStyle(first) : null;
  return {
    display: style.display,
    overflowX: style.overflowX,
    scrollWidth: table.scrollWidth,
    clientWidth: table.clientWidth,
    scrollLeft: table.scrollLeft,
    tabindex: table.getAttribute("tabindex"),
    scrolls: table.hasAttribute("data-scrolls"),
    focused: document.activeElement === table,
    left: Math.floor(r.left),
    right: Math.ceil(r.right),
    window: document.documentElement.clientWidth,
    position: cell ? cell.position : null,
    cellBackground: cell ? cell.backgroundColor : null,
    first: lefts(table, 1),
    second: lefts(table, 2),
  };
});
"#;

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_wide_table_scrolls_in_its_box_on_a_phone_with_its_first_column_in_place() {
    let tools = browser::tools_or_fail();
    let site = reading_site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        screen(&browser, PHONE).await;
        open(&browser, &server, "/tables/", PHONE.0, "light").await;
        let before = browser.run(TABLES).await;
        let (wide, narrow) = (&before[0], &before[1]);
        let mut problems = Vec::new();
        let what = format!("/tables/ at {} px: the table of six columns", PHONE.0);
        if !(wide["display"] == json!("block")
            && ["auto", "scroll"].contains(&wide["overflowX"].as_str().unwrap_or_default())
            && wide["scrollWidth"].as_u64() > wide["clientWidth"].as_u64())
        {
            problems.push(format!(
                "{what}: expected a block that scrolls sideways (overflow-x auto, scrollWidth over clientWidth), found display {}, overflow-x {}, {} px of table in {} px",
                wide["display"], wide["overflowX"], wide["scrollWidth"], wide["clientWidth"]
            ));
        }
        if wide["left"].as_i64() < Some(0) || wide["right"].as_i64() > wide["window"].as_i64() {
            problems.push(format!(
                "{what}: expected its box within the {} px window, found it from {} to {} px",
                wide["window"], wide["left"], wide["right"]
            ));
        }
        if (&wide["tabindex"], &wide["scrolls"]) != (&json!("0"), &json!(true)) {
            problems.push(format!(
                "{what}: expected tabindex=\"0\" and data-scrolls from theme.js, found tabindex {} and data-scrolls {}",
                wide["tabindex"], wide["scrolls"]
            ));
        }
        if wide["position"] != json!("sticky") {
            problems.push(format!(
                "{what}: expected its first column position: sticky, found {}",
                wide["position"]
            ));
        }
        let background = wide["cellBackground"].as_str().unwrap_or_default();
        if background.is_empty() || background == "transparent" || background.ends_with(", 0)") {
            problems.push(format!(
                "{what}: expected its first column opaque, over the cells that scroll under it, found the background {background:?}"
            ));
        }
        if (&narrow["tabindex"], &narrow["scrolls"]) != (&Value::Null, &json!(false))
            || narrow["scrollWidth"].as_u64() > narrow["clientWidth"].as_u64()
        {
            problems.push(format!(
                "/tables/ at {} px: expected the table of two columns to fit, without tabindex or data-scrolls, found {} px in {} px, tabindex {} and data-scrolls {}",
                PHONE.0,
                narrow["scrollWidth"],
                narrow["clientWidth"],
                narrow["tabindex"],
                narrow["scrolls"]
            ));
        }

        // Scrolled sideways by 200 px: the first column stays, the second moves.
        browser
            .run("document.querySelector('.prose table').scrollLeft = 200;")
            .await;
        let after = browser
            .wait_for("the wide table scrolled by 200 px", TABLES, |tables| {
                Ok(tables[0]["scrollLeft"].as_f64().is_some_and(|s| s > 0.0))
            })
            .await;
        let scrolled = after[0]["scrollLeft"].as_f64().unwrap_or_default();
        let moved = |column: &str| -> Vec<f64> {
            let (a, b) = (&wide[column], &after[0][column]);
            a.as_array()
                .into_iter()
                .flatten()
                .zip(b.as_array().into_iter().flatten())
                .map(|(a, b)| b.as_f64().unwrap_or(f64::NAN) - a.as_f64().unwrap_or(f64::NAN))
                .collect()
        };
        let (first, second) = (moved("first"), moved("second"));
        if scrolled < 200.0 || first.len() != 5 || first.iter().any(|m| m.is_nan() || m.abs() > 0.5)
        {
            problems.push(format!(
                "{what}: expected the 5 cells of the first column in place after scrolling the table by 200 px, found scrollLeft {scrolled} and the cells moved by {first:?} px (from {} to {})",
                wide["first"], after[0]["first"]
            ));
        }
        if second.len() != 5
            || second
                .iter()
                .any(|m| m.is_nan() || (m + scrolled).abs() > 1.0)
        {
            problems.push(format!(
                "{what}: expected the cells of the second column moved by -{scrolled} px, found {second:?} px"
            ));
        }

        // The keyboard scrolls it too: Tab reaches it, the right arrow scrolls it.
        browser
            .run("document.querySelector('.prose table').scrollLeft = 0;")
            .await;
        tab_to(
            &browser,
            "the wide table",
            "return document.activeElement === document.querySelector('.prose table');",
        )
        .await;
        browser.press(Key::Right).await;
        browser
            .wait_for(
                "the focused wide table scrolled sideways by the right arrow key",
                TABLES,
                |tables| Ok(tables[0]["scrollLeft"].as_f64().is_some_and(|s| s > 0.0)),
            )
            .await;

        assert!(
            problems.is_empty(),
            "{} problems with the tables:\n{}",
            problems.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(server);
}

// ------------------------------------------------------------------ code blocks on a phone

/// Each code block of the text: where it is, its box and its left and right borders, and the
/// background behind it.
const CODE_BLOCKS: &str = r#"
function opaque(el) {
  for (var node = el; node; node = node.parentElement) {
    var colour = getComputedStyle(node).backgroundColor;
    if (colour !== "transparent" && !/, 0\)$/.test(colour)) { return colour; }
  }
  return getComputedStyle(document.documentElement).backgroundColor;
}
return Array.from(document.querySelectorAll(".prose pre")).map(function (pre) {
  var style = getComputedStyle(pre), r = pre.getBoundingClientRect();
  var where = pre.closest(".prose li li") ? "nested list" : pre.closest(".prose blockquote") ? "quote" :
    pre.closest(".prose .callout") ? "callout" : "text";
  return {
    where: where,
    left: Math.round(r.left * 10) / 10,
    right: Math.round(r.right * 10) / 10,
    window: document.documentElement.clientWidth,
    borderLeft: style.borderLeftWidth + " " + style.borderLeftStyle + " " + style.borderLeftColor,
    borderRight: style.borderRightWidth + " " + style.borderRightStyle + " " + style.borderRightColor,
    widths: [parseFloat(style.borderLeftWidth), parseFloat(style.borderRightWidth)],
    styles: [style.borderLeftStyle, style.borderRightStyle],
    colours: [style.borderLeftColor, style.borderRightColor],
    behind: opaque(pre.parentElement),
    scrolls: pre.scrollWidth > pre.clientWidth,
  };
});
"#;

#[test]
#[cfg_attr(
    not(has_browser),
    ignore = "needs Chromium and chromedriver: apt-get install chromium chromium-driver"
)]
fn a_code_block_in_a_list_a_quote_or_a_callout_keeps_its_borders_on_a_phone() {
    let tools = browser::tools_or_fail();
    let site = reading_site();
    let server = StaticServer::start(&site.out);
    browser::block_on(async {
        let browser = Browser::start(&tools).await;
        screen(&browser, PHONE).await;
        let mut problems = Vec::new();
        for mode in ["light", "dark"] {
            scheme(&browser, mode).await;
            open(&browser, &server, "/code/", PHONE.0, mode).await;
            let blocks = browser.run(CODE_BLOCKS).await;
            let found: Vec<&str> = blocks
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["where"].as_str())
                .collect();
            assert_eq!(
                found,
                ["text", "nested list", "quote", "callout"],
                "expected the code blocks of the text, a nested list, a quote and a callout"
            );
            for block in blocks.as_array().into_iter().flatten() {
                let what = format!(
                    "/code/ at {} px, {mode}: the code block in the {}",
                    PHONE.0, block["where"]
                );
                let window = block["window"].as_f64().unwrap_or_default();
                let (left, right) = (
                    block["left"].as_f64().unwrap_or(f64::NAN),
                    block["right"].as_f64().unwrap_or(f64::NAN),
                );
                if block["scrolls"] != json!(true) {
                    problems.push(format!(
                        "{what}: expected its long line to scroll inside it, found it does not scroll"
                    ));
                }
                if block["where"] == json!("text") {
                    // The code of the text runs to the screen's edges, without side borders.
                    if left.abs() > 0.5 || (right - window).abs() > 0.5 {
                        problems.push(format!(
                            "{what}: expected it from edge to edge of the {window} px window, found it from {left} to {right} px"
                        ));
                    }
                    continue;
                }
                if !(left >= 0.0 && right <= window) {
                    problems.push(format!(
                        "{what}: expected it within the {window} px window, found it from {left} to {right} px"
                    ));
                }
                let behind = &block["behind"];
                let visible = (0..2).all(|side| {
                    block["widths"][side].as_f64() > Some(0.0)
                        && !["none", "hidden"]
                            .contains(&block["styles"][side].as_str().unwrap_or("none"))
                        && block["colours"][side] != *behind
                        && !block["colours"][side]
                            .as_str()
                            .is_some_and(|c| c == "transparent" || c.ends_with(", 0)"))
                });
                if !visible {
                    problems.push(format!(
                        "{what}: expected a visible left and right border (wider than 0, of another colour than the {behind} behind), found left {} and right {}",
                        block["borderLeft"], block["borderRight"]
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} problems with the code blocks:\n{}",
            problems.len(),
            problems.join("\n")
        );
        browser.close().await;
    });
    drop(server);
}
