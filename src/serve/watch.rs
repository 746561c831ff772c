//! Watching the handbook's folders and turning file-system events into [`Batch`]es.
//!
//! Folders are watched, not files: an editor's atomic save replaces the file, and a watch on
//! the file would follow the old one. Events are only hints: a batch names the paths that may
//! have changed, and the workspace looks at what is on disk now. That handles atomic saves
//! (a temporary file renamed over the page), vim's backup dance (`page.md` renamed to
//! `page.md~`, a new `page.md` written, the backup deleted) and renames without knowing any
//! editor. Swap, backup and temporary files are ignored by name, and access events (serving a
//! file opens it) are never looked at.
//!
//! Coalescing: a batch is closed once no event came for [`QUIET`]. An editor's save is a few
//! events on one or two files, inside a millisecond. When a batch grows past a few files it
//! is a burst (`git checkout`, a search-and-replace over the handbook), and the batch then
//! waits for [`BURST_QUIET`] of silence, so that the whole burst makes one update.

use super::state::Batch;
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Silence that ends a batch of an editor's save.
pub const QUIET: Duration = Duration::from_millis(4);
/// Silence that ends a burst.
pub const BURST_QUIET: Duration = Duration::from_millis(20);
/// A batch of more files than this is a burst.
const BURST_FILES: usize = 4;
/// A batch is closed after this long even if events keep coming.
const LONGEST_BATCH: Duration = Duration::from_secs(2);

/// The folders of a handbook that are watched, recursively.
pub const FOLDERS: &[&str] = &["content", "templates", "static"];

/// Watches `root` (for `handbook.yml`, and for the folders appearing) and its folders.
pub struct FolderWatcher {
    root: PathBuf,
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
}

impl FolderWatcher {
    pub fn new(root: &Path) -> notify::Result<FolderWatcher> {
        let (tx, events) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut this = FolderWatcher {
            root: root.to_path_buf(),
            watcher,
            events,
        };
        for folder in FOLDERS {
            this.watch_folder(folder)?;
        }
        Ok(this)
    }

    fn watch_folder(&mut self, folder: &str) -> notify::Result<()> {
        let path = self.root.join(folder);
        if path.is_dir() {
            self.watcher.watch(&path, RecursiveMode::Recursive)?;
        }
        Ok(())
    }

    /// Waits for the next batch of changes. `None` when the watcher stopped.
    pub fn next_batch(&mut self) -> Option<Batch> {
        let mut batch = Batch::default();
        // Wait for a first event that matters.
        while batch.is_empty() {
            let event = self.events.recv().ok()?;
            self.add(&mut batch, event);
        }
        let started = Instant::now();
        let mut quiet = QUIET;
        while started.elapsed() < LONGEST_BATCH {
            match self.events.recv_timeout(quiet) {
                Ok(event) => {
                    self.add(&mut batch, event);
                    if batch.len() > BURST_FILES {
                        quiet = BURST_QUIET;
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        Some(batch)
    }

    fn add(&mut self, batch: &mut Batch, event: notify::Result<notify::Event>) {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                eprintln!("warning: watching files: {err}; reading everything again");
                batch.everything = true;
                return;
            }
        };
        if event.need_rescan() {
            batch.everything = true;
            return;
        }
        if matches!(
            event.kind,
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
        ) {
            return;
        }
        for path in &event.paths {
            if let Some(folder) = self.classify(batch, path) {
                // A watched folder appeared (or was replaced): watch it, read it all.
                let _ = self.watch_folder(folder);
                batch.everything = true;
            }
        }
    }

    /// Adds `path` to the batch; returns the name of a watched folder if it is the folder
    /// itself.
    fn classify(&self, batch: &mut Batch, path: &Path) -> Option<&'static str> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<&str> = rel
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        if parts.iter().any(|name| crate::source::is_ignored(name)) {
            return None;
        }
        match parts.as_slice() {
            [name] if *name == crate::config::CONFIG_FILE => batch.everything = true,
            [folder] => return FOLDERS.iter().copied().find(|f| f == folder),
            ["content", rest @ ..] => {
                batch.content.insert(rest.join("/"));
            }
            ["templates", ..] => batch.templates = true,
            ["static", rest @ ..] => {
                batch.statics.insert(rest.join("/"));
            }
            _ => {}
        }
        None
    }
}
