//! `handbook serve` in a real browser: headless Chromium, driven over WebDriver by chromedriver.
//! Editing a page's Markdown reloads the page by itself; editing a stylesheet restyles the
//! page without reloading it; breaking a page's front matter shows the error overlay naming
//! the file, and fixing it removes the overlay.
//!
//! Needs Chromium and chromedriver (`/usr/bin/chromium`, `/usr/bin/chromedriver`, or
//! `CHROMIUM`, `CHROMEDRIVER`): `apt-get install chromium chromium-driver`; `.ci/run` installs
//! them. Without them the test says so and passes, except on CI (`CI` set), where it fails.
//!
//! Both processes (`handbook serve`, chromedriver with its browser) run in their own process
//! group, which is killed when the test ends, passing or not: no browser is left behind.

mod common;

use common::Fixture;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the browser has to show each change: generous for a debug build on a busy machine;
/// the test moves on as soon as the change is there.
const DEADLINE: Duration = Duration::from_secs(15);

const INSTALL: &str = "apt-get install chromium chromium-driver";

/// A child process in its own process group, which is killed (with whatever it started, such
/// as chromedriver's browser) and waited for on drop.
struct Group {
    child: Child,
    name: &'static str,
    /// What the process printed, for failure messages.
    output: Arc<Mutex<String>>,
}

impl Group {
    fn spawn(name: &'static str, command: &mut Command) -> Group {
        let mut child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        let output = Arc::new(Mutex::new(String::new()));
        // Stderr is collected as it comes; stdout is left to the caller (see `lines`).
        let stderr = child.stderr.take().expect("piped stderr");
        collect(stderr, output.clone());
        Group {
            child,
            name,
            output,
        }
    }

    /// Reads stdout line by line, collecting it, and sends each line to the returned receiver.
    fn lines(&mut self) -> std::sync::mpsc::Receiver<String> {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let output = self.output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                output.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        rx
    }

    /// Collects stdout without looking at it.
    fn collect_stdout(&mut self) {
        let stdout = self.child.stdout.take().expect("piped stdout");
        collect(stdout, self.output.clone());
    }

    fn output(&self) -> String {
        format!(
            "--- {} printed:\n{}",
            self.name,
            self.output.lock().unwrap()
        )
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // The group this test made, by its id (the child's pid): never anything by name.
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals that process group only.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

/// Appends everything `from` yields to `into`, in a thread.
fn collect(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 {
                break;
            }
            into.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    });
}

/// `handbook serve` over the fixture, on a free port; returns it and the site's URL.
fn serve(root: &Path) -> (Group, String) {
    let mut server = Group::spawn(
        "handbook serve",
        Command::new(env!("CARGO_BIN_EXE_handbook"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0"]),
    );
    let lines = server.lines();
    // "Serving 2 pages at http://127.0.0.1:40123/ (loaded in 3 ms). Watching ..."
    let first = lines.recv_timeout(DEADLINE).unwrap_or_else(|err| {
        panic!(
            "handbook serve did not say where it serves ({err})\n{}",
            server.output()
        )
    });
    let url = first
        .find("http://")
        .map(|start| &first[start..])
        .and_then(|rest| rest.split(' ').next())
        .filter(|url| url.ends_with('/'))
        .unwrap_or_else(|| panic!("no URL in {first:?}\n{}", server.output()))
        .to_string();
    (server, url)
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
    driver.collect_stdout();
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = driver.child.try_wait() {
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

/// Chromium and chromedriver, or what to say when they are missing.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let chromium =
        PathBuf::from(std::env::var_os("CHROMIUM").unwrap_or_else(|| "/usr/bin/chromium".into()));
    let driver = PathBuf::from(
        std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into()),
    );
    let missing: Vec<String> = [("Chromium", &chromium), ("chromedriver", &driver)]
        .into_iter()
        .filter(|(_, path)| !path.is_file())
        .map(|(name, path)| format!("{name} at {}", path.display()))
        .collect();
    if missing.is_empty() {
        Ok((chromium, driver))
    } else {
        Err(format!(
            "the live-reload browser test needs {} (install them with `{INSTALL}`, as root: `.ci/run` does)",
            missing.join(" and ")
        ))
    }
}

/// The page for the test: its Markdown, with `extra` as a last paragraph.
fn triage(extra: &str) -> String {
    format!("---\ntitle: Triage\n---\nEvery bug gets an owner within a day.\n\n{extra}\n")
}

/// Writes a file as editors save: a temporary file in the same folder, renamed over it, so
/// that the server never sees it half-written.
fn save(path: &Path, contents: &str) {
    let temporary = path.with_file_name(format!(
        ".{}.saving",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&temporary, contents).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// The browser session and what to print when a step fails.
struct Browser<'a> {
    client: Client,
    processes: [&'a Group; 2],
}

impl Browser<'_> {
    /// Runs `script` (a function body returning JSON) until `done` accepts its result, or
    /// fails the test after [`DEADLINE`] or when `done` says the page went wrong.
    async fn wait_for(
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
                // While the page reloads, scripts may fail: try again.
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

    fn fail(&self, what: &str, why: &str) -> ! {
        let printed: Vec<String> = self.processes.iter().map(|p| p.output()).collect();
        panic!("{what}: {why}\n{}", printed.join("\n"));
    }
}

#[test]
fn the_browser_follows_edits_to_pages_and_stylesheets_and_shows_errors() {
    let (chromium, driver_program) = match tools() {
        Ok(tools) => tools,
        Err(message) => {
            assert!(std::env::var_os("CI").is_none(), "{message}");
            eprintln!("skipped: {message}");
            return;
        }
    };

    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The site ships its own copy of the theme's stylesheet, to edit it.
    let theme_css = std::fs::read_to_string(repo.join("static/theme.css")).unwrap();
    let fixture = Fixture::new()
        .file("content/index.md", "---\ntitle: Home\n---\nWelcome.\n")
        .file(
            "content/engineering/index.md",
            "---\ntitle: Engineering\n---\n",
        )
        .file("content/engineering/triage.md", triage("First version."))
        .file("static/theme.css", &theme_css);
    let page_source = fixture.root().join("content/engineering/triage.md");
    let css_source = fixture.root().join("static/theme.css");

    let profile = tempfile::tempdir().unwrap();
    let (server, site) = serve(&fixture.root());
    let (driver, driver_url) = chromedriver(&driver_program);

    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                // Without these, Chromium's own connections are refused on a closed network
                // and slow everything down.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver_url)
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start Chromium through chromedriver: {err}\n{}\n{}",
                    driver.output(),
                    server.output()
                )
            });
        let browser = Browser {
            client,
            processes: [&server, &driver],
        };

        // (a) The page, marked: a reload loses the mark.
        let page = format!("{site}engineering/triage/");
        if let Err(err) = browser.client.goto(&page).await {
            browser.fail("opening the page", &err.to_string());
        }
        browser
            .wait_for(
                "the page shows its text",
                "window.__handbookMarker = 1; return document.body.innerText;",
                |text| Ok(text.as_str().is_some_and(|t| t.contains("First version."))),
            )
            .await;

        // (b) An edit to the page: the browser reloads it by itself and shows the new text.
        save(&page_source, &triage("Second version, with zanzibarite."));
        browser
            .wait_for(
                "the edited text in the page",
                "return { text: document.body.innerText, marker: window.__handbookMarker };",
                |page| {
                    Ok(page["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("zanzibarite"))
                        && page["marker"].is_null())
                },
            )
            .await;
        if let Err(err) = browser
            .client
            .execute("window.__handbookMarker = 1;", vec![])
            .await
        {
            browser.fail("marking the page again", &err.to_string());
        }

        // (c) An edit to the stylesheet: the new style applies, and the page is not reloaded.
        save(
            &css_source,
            &format!("{theme_css}\nbody {{ outline: 7px solid rgb(1, 2, 3); }}\n"),
        );
        browser
            .wait_for(
                "the edited stylesheet applied without a reload",
                "const style = getComputedStyle(document.body);
                 return { outline: style.outlineWidth + ' ' + style.outlineColor,
                          marker: window.__handbookMarker ?? null };",
                |page| {
                    if page["marker"] != json!(1) {
                        return Err("the page was reloaded".into());
                    }
                    Ok(page["outline"] == json!("7px rgb(1, 2, 3)"))
                },
            )
            .await;

        // (d) Broken front matter: the overlay names the file; the page stays as it was.
        save(
            &page_source,
            "---\ntitle: [unclosed\n---\nEvery bug gets an owner within a day.\n",
        );
        let overlay = browser
            .wait_for(
                "the error overlay naming the file",
                "const overlay = document.getElementById('handbook-errors');
                 return { overlay: overlay && overlay.innerText,
                          marker: window.__handbookMarker ?? null };",
                |page| {
                    if page["marker"] != json!(1) {
                        return Err("the page was reloaded".into());
                    }
                    Ok(page["overlay"]
                        .as_str()
                        .is_some_and(|t| t.contains("content/engineering/triage.md")))
                },
            )
            .await;
        eprintln!("the overlay said: {}", overlay["overlay"]);

        // (e) Fixed: the overlay goes, and the page shows the fixed version.
        save(&page_source, &triage("Third version, with quokkadrome."));
        browser
            .wait_for(
                "the overlay gone and the fixed page shown",
                "return { overlay: !!document.getElementById('handbook-errors'),
                          text: document.body.innerText };",
                |page| {
                    Ok(page["overlay"] == json!(false)
                        && page["text"]
                            .as_str()
                            .is_some_and(|t| t.contains("quokkadrome")))
                },
            )
            .await;

        let _ = browser.client.close().await;
    });
    // The browser and the server go with their process groups, then the profile.
    drop(driver);
    drop(server);
    drop(profile);
}
