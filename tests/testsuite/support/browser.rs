//! Headless Chromium driven over WebDriver (chromedriver, through fantoccini), for the tests of
//! what happens in a real browser.
//!
//! ```ignore
//! #[test]
//! #[cfg_attr(not(has_browser), ignore = "needs Chromium and chromedriver: ...")]
//! fn a_test() {
//!     let tools = browser::tools_or_fail();
//!     browser::block_on(async {
//!         let browser = Browser::start(&tools).await;
//!         browser.goto("http://127.0.0.1:8080/").await;
//!         let title = browser.run("return document.title;").await;
//!         browser.close().await;
//!     });
//! }
//! ```
//!
//! Needs Chromium and chromedriver (`/usr/bin/chromium`, `/usr/bin/chromedriver`, or
//! `CHROMIUM`, `CHROMEDRIVER`): `apt-get install chromium chromium-driver`; `.ci/run` installs
//! them. Without them build.rs leaves `has_browser` off and the tests show as ignored, with
//! what to install; on CI (`CI` set) they run, and fail if a tool is missing.
//!
//! Every process a test starts (chromedriver with its browser, a server under test) runs in its
//! own process group (`process.rs`), killed when the test ends, passing or not: no browser is
//! left behind. benches/search.rs includes this file (and `process.rs`) too.

use super::process::Group;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long the browser has to show something: generous for a debug build on a busy machine;
/// a test moves on as soon as it is there.
pub const DEADLINE: Duration = Duration::from_secs(15);

const INSTALL: &str = "apt-get install chromium chromium-driver";

/// Where Chromium and chromedriver are.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

/// Chromium and chromedriver, or what to say when they are missing.
pub fn tools() -> Result<Tools, String> {
    let chromium =
        PathBuf::from(std::env::var_os("CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into()));
    let chromedriver = PathBuf::from(
        std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into()),
    );
    let missing: Vec<String> = [("Chromium", &chromium), ("chromedriver", &chromedriver)]
        .into_iter()
        .filter(|(_, path)| !path.is_file())
        .map(|(name, path)| format!("{name} at {}", path.display()))
        .collect();
    if missing.is_empty() {
        Ok(Tools {
            chromium,
            chromedriver,
        })
    } else {
        Err(format!(
            "this browser test needs {} (install them with `{INSTALL}`, as root: `.ci/run` does)",
            missing.join(" and ")
        ))
    }
}

/// [`tools`], or a failure saying what to install. Browser tests are ignored where the tools
/// are missing (`#[cfg_attr(not(has_browser), ignore = ...)]`, set by build.rs), so a test
/// that runs without them is on CI, or the tools went away since the build: never a pass.
pub fn tools_or_fail() -> Tools {
    tools().unwrap_or_else(|message| panic!("{message}"))
}

/// Runs a browser test's `async` body to the end, on a runtime of the test's thread.
pub fn block_on<F: std::future::Future>(body: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(body)
}

/// chromedriver on a free port; returns it and its URL once it accepts connections.
fn chromedriver(program: &Path) -> (Group, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut driver = Group::spawn(
        "chromedriver",
        Command::new(program).arg(format!("--port={port}")),
    );
    driver.keep_output();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = driver.exited() {
            panic!("chromedriver exited ({status})\n{}", driver.output());
        }
        assert!(
            started.elapsed() < DEADLINE,
            "chromedriver does not listen on port {port}\n{}",
            driver.output()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, format!("http://127.0.0.1:{port}"))
}

/// A headless Chromium session. Dropping it ends chromedriver and the browser, then removes the
/// browser's profile.
pub struct Browser {
    pub client: Client,
    driver: Group,
    /// More to print when a step fails (the output of a server under test, ...).
    on_failure: Vec<Box<dyn Fn() -> String>>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub async fn start(tools: &Tools) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let (driver, driver_url) = chromedriver(&tools.chromedriver);
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    // Without these, Chromium's own connections are refused on a closed
                    // network and slow everything down.
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start Chromium through chromedriver: {err}\n{}",
                    driver.output()
                )
            });
        Browser {
            client,
            driver,
            on_failure: Vec::new(),
            _profile: profile,
        }
    }

    /// Adds what `describe` says to the message of any step that fails from now on: pass it
    /// the `printed()` of a server under test, say.
    pub fn on_failure(&mut self, describe: impl Fn() -> String + 'static) {
        self.on_failure.push(Box::new(describe));
    }

    /// From now on, records every Content-Security-Policy violation of every document in
    /// `sessionStorage` (which outlives a redirect), as `path: directive blocked what`; a page
    /// reads them with `JSON.parse(sessionStorage.getItem("violations") || "[]")`.
    pub async fn record_csp_violations(&self) {
        let source = r#"
document.addEventListener("securitypolicyviolation", function (event) {
  var seen = JSON.parse(sessionStorage.getItem("violations") || "[]");
  seen.push(location.pathname + ": " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline"));
  sessionStorage.setItem("violations", JSON.stringify(seen));
});
"#;
        self.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
    }

    /// Opens `url` in the current tab.
    pub async fn goto(&self, url: &str) {
        if let Err(err) = self.client.goto(url).await {
            self.fail(&format!("opening {url}"), &err.to_string());
        }
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub async fn run(&self, script: &str) -> Value {
        match self.client.execute(script, vec![]).await {
            Ok(value) => value,
            Err(err) => self.fail(&format!("running {script:?}"), &err.to_string()),
        }
    }

    /// Clicks the element `css` finds.
    pub async fn click(&self, css: &str) {
        let element = match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(err) => self.fail(&format!("finding {css}"), &err.to_string()),
        };
        if let Err(err) = element.click().await {
            self.fail(&format!("clicking {css}"), &err.to_string());
        }
    }

    /// Types `text` into whatever has the focus, one key at a time, as a person does.
    pub async fn type_text(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".into());
        for c in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c })
                .pause(Duration::from_millis(60));
        }
        self.perform(keys, text).await;
    }

    /// Presses and releases one key (`Key::Down`, `Key::Escape`, ...).
    pub async fn press(&self, key: Key) {
        let value = char::from(key);
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.perform(keys, &format!("{key:?}")).await;
    }

    async fn perform(&self, keys: KeyActions, what: &str) {
        if let Err(err) = self.client.perform_actions(keys).await {
            self.fail(&format!("typing {what:?}"), &err.to_string());
        }
    }

    /// Sends a Chrome DevTools Protocol command (`Page.addScriptToEvaluateOnNewDocument`,
    /// ...) through chromedriver, and returns its result.
    pub async fn devtools(&self, command: &str, params: Value) -> Value {
        let request = DevTools {
            command: command.to_string(),
            params,
        };
        match self.client.issue_cmd(request).await {
            Ok(value) => value,
            Err(err) => self.fail(&format!("DevTools {command}"), &err.to_string()),
        }
    }

    /// Runs `script` (a function body returning JSON) until `done` accepts its result, or
    /// fails the test after [`DEADLINE`] or when `done` says the page went wrong.
    pub async fn wait_for(
        &self,
        what: &str,
        script: &str,
        done: impl Fn(&Value) -> Result<bool, String>,
    ) -> Value {
        let started = Instant::now();
        let mut last;
        loop {
            match self.client.execute(script, vec![]).await {
                Ok(value) => match done(&value) {
                    Ok(true) => return value,
                    Ok(false) => last = value.to_string(),
                    Err(problem) => self.fail(what, &format!("{problem}; the page: {value}")),
                },
                // While the page loads, scripts may fail: try again.
                Err(err) => last = format!("error: {err}"),
            }
            if started.elapsed() > DEADLINE {
                self.fail(
                    what,
                    &format!("not after {} s; last seen: {last}", DEADLINE.as_secs()),
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Fails the test: what went wrong, with everything the processes printed.
    pub fn fail(&self, what: &str, why: &str) -> ! {
        let mut printed: Vec<String> = self.on_failure.iter().map(|f| f()).collect();
        printed.push(self.driver.output());
        panic!("{what}: {why}\n{}", printed.join("\n"));
    }

    /// Ends the session (the browser closes); chromedriver goes when the value is dropped.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// chromedriver's endpoint for DevTools commands, which WebDriver itself does not have.
#[derive(Debug)]
struct DevTools {
    command: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
