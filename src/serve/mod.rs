//! `handbook serve`: the site from memory, kept current while a contributor edits it.
//!
//! Three threads of work share one [`Shared`]:
//!
//! ```text
//! watcher ─▶ Workspace::apply ─▶ new Generation ─▶ live-reload event ─▶ browsers
//!                                      │
//!                                      ▼
//! checker: analyses the pages (once each), checks links ─▶ problems ─▶ overlay + terminal
//!          └─▶ search index of the version ─▶ `/_search/` files
//!
//! HTTP (axum): path ─▶ page of the current Generation (rendered on demand, cached) or file
//! ```
//!
//! Nothing is written to disk.

mod checker;
mod connections;
mod data;
mod hosts;
mod http;
mod landing;
mod memory;
pub mod state;
pub mod watch;

use crate::diagnostics::{Diagnostic, Diagnostics};
pub use state::{Action, Batch, Generation};
use state::{Workspace, lock};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::broadcast;

/// Most threads rendering pages or reading files at once: twice the cores, at least 4 and
/// at most 16. Each keeps its own allocator caches; with 16 on 2 cores, 200 clients asking for
/// pages of a 10,000-page handbook held the server at 330-410 MB, with 4 at 290-300 MB, for
/// the same number of requests answered.
fn blocking_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    (cores * 2).clamp(4, 16)
}

/// What `handbook serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0: any free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    pub drafts: bool,
    /// Compare with this commit, branch or tag (`--base`): the preview banner, the changes
    /// page and the marked sections, as on a deploy preview.
    pub base: Option<String>,
    /// Names besides localhost and IP addresses that requests may be addressed to
    /// (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The configuration could not be read: nothing to serve.
    Site(Vec<Diagnostic>),
    /// Anything else (the port is taken, the folders cannot be watched), said for a
    /// contributor.
    Start(String),
}

/// A change browsers are told about.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Pages changed: reload if showing an older version; the edited pages, by URL, with the
    /// section each reload should land on.
    Reload(u64, Arc<Vec<(String, String)>>),
    /// Only stylesheets changed: fetch them again.
    Stylesheets(u64),
    /// The problems to show (JSON), which changed.
    Problems(Arc<str>),
}

/// What the HTTP side, the watcher and the checker share.
pub struct Shared {
    current: RwLock<Arc<Generation>>,
    events: broadcast::Sender<LiveEvent>,
    status: Mutex<Status>,
    /// Tells pages of an earlier run of the server (a restart) from this one's.
    pub instance: String,
    /// The newest version the checker has to look at, and its wake-up call.
    to_check: (Mutex<u64>, Condvar),
    /// The search indexes of the last few versions, newest last.
    search: Mutex<VecDeque<Arc<SearchIndex>>>,
    /// What the newest index left for the next one to start from: each page's entry, so that
    /// after a change only the pages and shards it touched are made again.
    search_state: Mutex<Option<crate::search::Saved>>,
}

/// The search index of one version of the site: its files by path (`_search/meta.json`...).
struct SearchIndex {
    version: u64,
    /// The `build` of its `meta.json`, which the browser sends back as `?v=` with every other
    /// file it asks for.
    build: String,
    /// Gzipped, with the digest of what they hold: a tenth of the memory (51 MB of JSON for
    /// 10,000 pages), and browsers take them as they are. A file that did not change between
    /// versions is shared by their indexes.
    files: IndexFiles,
}

/// Files of a search index by path, gzipped, each with the digest of what it holds.
type IndexFiles = HashMap<String, (u128, Arc<[u8]>)>;

/// Where the search index's files go in `handbook serve`: gzipped as they are made, so that
/// the whole index is never held as JSON; those the previous index has are kept from it.
#[derive(Default)]
struct Gzipped {
    /// The files of the index before, by the digest of what they hold: a page's file moves to
    /// another number when a page before it in the navigation comes or goes.
    previous: HashMap<u128, Arc<[u8]>>,
    files: Mutex<IndexFiles>,
}

impl crate::output::Sink for Gzipped {
    fn keep(&self, rel: &str, fingerprint: u128) -> bool {
        let Some(file) = self.previous.get(&fingerprint) else {
            return false;
        };
        lock(&self.files).insert(rel.to_string(), (fingerprint, file.clone()));
        true
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let digest = xxhash_rust::xxh3::xxh3_128(bytes);
        let packed = Arc::from(gzip(bytes));
        lock(&self.files).insert(rel.to_string(), (digest, packed));
        Ok(())
    }
}

/// `bytes` gzipped, quickly: the index is made again after every change.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing into memory cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// `gzipped` as it was.
pub fn gunzip(gzipped: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(gzipped).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// How many versions' indexes are kept: a browser that read `meta.json` just before a change
/// still gets the shards that go with it.
const SEARCH_VERSIONS: usize = 3;

#[derive(Default)]
struct Status {
    /// From loading: front matter, templates, configuration, URLs.
    loaded: Vec<Diagnostic>,
    /// From the link check of the last checked version.
    checked: Vec<Diagnostic>,
    /// Pages of the current version that could not be rendered (a template error that shows
    /// only with a page's values).
    rendering: Vec<Diagnostic>,
    /// Problems already printed, to print each one once.
    printed: BTreeSet<String>,
    /// The errors browsers show, as sent.
    shown: Arc<str>,
}

impl Status {
    /// Every problem, sorted.
    fn all(&self) -> Vec<Diagnostic> {
        let mut all = Diagnostics::default();
        all.extend(self.loaded.iter().cloned());
        all.extend(self.checked.iter().cloned());
        all.extend(self.rendering.iter().cloned());
        all.into_sorted()
    }
}

impl Shared {
    fn new(generation: Arc<Generation>) -> Shared {
        let (events, _) = broadcast::channel(64);
        let instance = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_string();
        let version = generation.version;
        Shared {
            current: RwLock::new(generation),
            events,
            status: Mutex::new(Status {
                shown: Arc::from("[]"),
                ..Status::default()
            }),
            instance,
            to_check: (Mutex::new(version), Condvar::new()),
            search: Mutex::default(),
            search_state: Mutex::default(),
        }
    }

    /// Makes the search index of `generation` (unless it is made already) and keeps it.
    fn index_search(
        &self,
        generation: &Generation,
        analyses: &crate::site::PerPage<Arc<crate::markdown::Analysis>>,
    ) {
        if lock(&self.search)
            .back()
            .is_some_and(|index| index.version >= generation.version)
        {
            return;
        }
        let gzipped = Gzipped {
            previous: lock(&self.search)
                .back()
                .map(|index| index.files.values().cloned().collect())
                .unwrap_or_default(),
            files: Mutex::default(),
        };
        let previous = lock(&self.search_state).take();
        let table = generation.link_table();
        let renderer = generation.renderer(&table);
        // The analyses kept between versions have no search text (state.rs): a page indexed
        // anew whose analysis was kept is read again for it.
        let analysis_of = |id| match analyses[id].search.is_empty() {
            true => std::borrow::Cow::Owned(renderer.analysis(id)),
            false => std::borrow::Cow::Borrowed(&*analyses[id]),
        };
        let made = crate::search::update_index(
            &generation.site,
            &analysis_of,
            &|id| generation.analysis_key(id),
            previous,
            &gzipped,
        );
        let Ok((build, state)) = made else {
            return;
        };
        *lock(&self.search_state) = Some(state);
        let files = gzipped
            .files
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        let mut kept = lock(&self.search);
        if kept.back().is_some_and(|i| i.version >= generation.version) {
            return;
        }
        kept.push_back(Arc::new(SearchIndex {
            version: generation.version,
            build,
            files,
        }));
        while kept.len() > SEARCH_VERSIONS {
            kept.pop_front();
        }
    }

    /// A file of the search index (`rel` like `_search/s/3.json`), gzipped: of the index whose
    /// `build` the browser names, else of the newest. Before the checker made any, it is made
    /// now.
    pub fn search_file(&self, rel: &str, build: Option<&str>) -> Option<Arc<[u8]>> {
        if lock(&self.search).is_empty() {
            let generation = self.current();
            let analyses = generation.analyses();
            self.index_search(&generation, &analyses);
        }
        let kept = lock(&self.search);
        let index = build
            .and_then(|build| kept.iter().rev().find(|i| i.build == build))
            .or(kept.back())?;
        index.files.get(rel).map(|(_, file)| file.clone())
    }

    /// The version being served.
    pub fn current(&self) -> Arc<Generation> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The errors browsers show now, as JSON.
    pub fn shown_problems(&self) -> Arc<str> {
        lock(&self.status).shown.clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    fn publish(&self, generation: Arc<Generation>, action: Action) {
        let version = generation.version;
        let landings = Arc::new(generation.landings.clone());
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = generation;
        lock(&self.status).rendering.clear();
        let _ = self.events.send(match action {
            Action::Reload => LiveEvent::Reload(version, landings),
            Action::Stylesheets => LiveEvent::Stylesheets(version),
        });
        *lock(&self.to_check.0) = version;
        self.to_check.1.notify_one();
    }

    /// Every problem known now, sorted.
    pub fn problems(&self) -> Vec<Diagnostic> {
        lock(&self.status).all()
    }

    fn set_loaded(&self, problems: Vec<Diagnostic>) {
        let mut status = lock(&self.status);
        status.loaded = problems;
        self.report(&mut status);
    }

    /// A page of `version` could not be rendered: shown with the other problems until the
    /// next change.
    pub fn render_failed(&self, version: u64, problem: &Diagnostic) {
        if self.current().version != version {
            return;
        }
        let mut status = lock(&self.status);
        if !status.rendering.contains(problem) {
            status.rendering.push(problem.clone());
            self.report(&mut status);
        }
    }

    fn set_checked(&self, problems: Vec<Diagnostic>) {
        let mut status = lock(&self.status);
        status.checked = problems;
        self.report(&mut status);
    }

    /// Prints the problems not printed yet, and tells browsers when the errors changed.
    fn report(&self, status: &mut Status) {
        let all = status.all();
        let now: BTreeSet<String> = all.iter().map(|d| d.to_string()).collect();
        for d in &all {
            let text = d.to_string();
            if !status.printed.contains(&text) {
                eprintln!("{text}");
            }
        }
        let had_errors = status.shown.len() > 2;
        let errors: Vec<&Diagnostic> = all.iter().filter(|d| d.is_error()).collect();
        if had_errors && errors.is_empty() {
            println!("No errors left: the site is up to date.");
        }
        status.printed = now;
        let shown: Arc<str> = Arc::from(problems_json(&errors));
        if shown != status.shown {
            status.shown = shown.clone();
            let _ = self.events.send(LiveEvent::Problems(shown));
        }
    }
}

/// The errors as the live-reload script shows them.
fn problems_json(errors: &[&Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = errors
        .iter()
        .map(|d| {
            serde_json::json!({
                "path": d.path,
                "line": d.position.map(|p| p.0),
                "column": d.position.map(|p| p.1),
                "message": d.message,
                "help": d.help,
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// `handbook serve`'s site as a value: the workspace that turns changes into versions, what the
/// HTTP side shares, and the router. [`run`] adds the listener, the watcher and the checker
/// threads; tests drive it directly, without spawning the binary.
pub struct App {
    shared: Arc<Shared>,
    workspace: Workspace,
    hosts: Arc<hosts::AllowedHosts>,
    /// The last check, whose page checks the next one may keep.
    last: Mutex<Option<checker::LastCheck>>,
}

impl App {
    /// Loads the site of `options.root` for pages rendered at `url` (`http://127.0.0.1:1111/`).
    /// Fails only when there is nothing to serve, or an option is wrong.
    pub fn load(options: &ServeOptions, url: &str) -> Result<App, ServeError> {
        let hosts = hosts::AllowedHosts::new(&options.allow_hosts).map_err(ServeError::Start)?;
        let root = options.root.canonicalize().map_err(|err| {
            ServeError::Start(format!("cannot open {}: {err}", options.root.display()))
        })?;
        let base = options.base.as_deref();
        let workspace =
            Workspace::load(&root, options.drafts, url, base).map_err(ServeError::Site)?;
        let shared = Arc::new(Shared::new(workspace.current()));
        shared.set_loaded(workspace.problems());
        Ok(App {
            shared,
            workspace,
            hosts: Arc::new(hosts),
            last: Mutex::default(),
        })
    }

    /// The HTTP side: pages, files, the live-reload script and its event stream.
    pub fn router(&self) -> axum::Router {
        http::router(self.shared.clone(), self.hosts.clone())
    }

    /// Applies a batch of changed files, as the watcher does, and tells browsers.
    pub fn apply(&mut self, batch: &mut state::Batch) -> Option<Action> {
        let action = self.workspace.apply(batch);
        if let Some(action) = action {
            self.shared.publish(self.workspace.current(), action);
        }
        self.shared.set_loaded(self.workspace.problems());
        action
    }

    /// Runs the checks of the current version now, as the checker thread does after a change;
    /// returns how many pages' links it checked (not those of pages that neither changed nor
    /// link to a page that changed).
    pub fn check(&self) -> usize {
        let generation = self.shared.current();
        let analyses = generation.analyses();
        let mut last = lock(&self.last);
        let (diags, done) = checker::check_version(&generation, &analyses, last.take());
        let rechecked = done.rechecked;
        *last = Some(done);
        self.shared.set_checked(diags.into_sorted());
        rechecked
    }

    /// Every problem known now: from loading, the last check, and pages that failed to render.
    pub fn problems(&self) -> Vec<Diagnostic> {
        self.shared.problems()
    }

    /// The version served now.
    pub fn current(&self) -> Arc<Generation> {
        self.shared.current()
    }
}

/// Runs the server until the process is stopped.
pub fn run(options: ServeOptions) -> Result<(), ServeError> {
    let started = Instant::now();
    memory::purge_at_once();
    let limits = connections::Limits::new(connections::raise_open_file_limit())
        .map_err(ServeError::Start)?;
    let listener = std::net::TcpListener::bind((options.bind, options.port)).map_err(|err| {
        ServeError::Start(if err.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} is already in use (is another `handbook serve` running?); pick another with --port, or --port 0 for any free one",
                options.port
            )
        } else {
            format!(
                "cannot listen on {}:{}: {err}",
                options.bind, options.port
            )
        })
    })?;
    let address = listener
        .local_addr()
        .map_err(|err| ServeError::Start(format!("cannot listen: {err}")))?;
    let url = site_url(address);
    let App {
        shared,
        workspace,
        hosts,
        ..
    } = App::load(&options, &url)?;
    let root = options.root.canonicalize().map_err(|err| {
        ServeError::Start(format!("cannot open {}: {err}", options.root.display()))
    })?;
    let pages = shared.current().site.pages.len();
    let watcher = watch::FolderWatcher::new(&root).map_err(|err| {
        ServeError::Start(format!(
            "cannot watch {} for changes: {err}",
            root.display()
        ))
    })?;
    if options.bind.is_unspecified() {
        eprintln!(
            "warning: listening on {}: anyone on your network can open this site (by this computer's IP address; to open it by the computer's name, add --allow-host NAME)",
            options.bind
        );
    }
    println!(
        "Serving {pages} page{} at {url} (loaded in {} ms). Watching content/, templates/, static/ and handbook.yml; press Ctrl-C to stop.",
        if pages == 1 { "" } else { "s" },
        started.elapsed().as_millis()
    );
    spawn_threads(&shared, watcher, workspace)?;
    if options.open
        && let Err(err) = open::that_detached(&url)
    {
        eprintln!("warning: cannot open a browser ({err}); open {url} yourself");
    }
    serve_forever(listener, http::router(shared, hosts), limits)
}

/// The watcher, which turns changes on disk into new versions, and the checker.
fn spawn_threads(
    shared: &Arc<Shared>,
    watcher: watch::FolderWatcher,
    workspace: Workspace,
) -> Result<(), ServeError> {
    let for_watcher = shared.clone();
    std::thread::Builder::new()
        .name("watcher".into())
        .spawn(move || watch_loop(watcher, workspace, &for_watcher))
        .map_err(|err| ServeError::Start(format!("cannot start the watcher: {err}")))?;
    let for_checker = shared.clone();
    std::thread::Builder::new()
        .name("checker".into())
        .spawn(move || checker::check_loop(&for_checker))
        .map_err(|err| ServeError::Start(format!("cannot start the link check: {err}")))?;
    Ok(())
}

/// Answers requests on `listener` until the process is stopped.
fn serve_forever(
    listener: std::net::TcpListener,
    router: axum::Router,
    limits: connections::Limits,
) -> Result<(), ServeError> {
    // Blocking threads render pages and read files. Tokio's default allows 512 of them, and
    // each keeps its own allocator caches (about 1 MB of RSS under load): a few browsers plus
    // a crawler would grow the server by hundreds of MB for no speed on a few cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking_threads())
        .build()
        .map_err(|err| ServeError::Start(format!("cannot start the server: {err}")))?;
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|err| ServeError::Start(format!("cannot listen: {err}")))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|err| ServeError::Start(format!("cannot listen: {err}")))?;
        connections::serve(listener, router, limits).await;
        Ok(())
    })
}

/// The address to print and to render pages for: `localhost` when listening on every
/// interface.
fn site_url(address: SocketAddr) -> String {
    match address.ip() {
        ip if ip.is_unspecified() => format!("http://localhost:{}/", address.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", address.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", address.port()),
    }
}

fn watch_loop(mut watcher: watch::FolderWatcher, mut workspace: Workspace, shared: &Shared) {
    while let Some(mut batch) = watcher.next_batch() {
        let started = Instant::now();
        let action = workspace.apply(&mut batch);
        let what = batch.describe();
        match action {
            Some(action) => {
                let generation = workspace.current();
                shared.publish(generation, action);
                println!(
                    "Updated {what} in {:.1} ms",
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            None => println!("Changed {what}: the site stays as it was"),
        }
        shared.set_loaded(workspace.problems());
    }
}
