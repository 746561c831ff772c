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
//! Coalescing: a batch is closed once no event that matters came for [`QUIET`]. An editor's
//! save is a few events on one or two files, inside a millisecond. When a batch grows past a
//! few files it is a burst (`git checkout`, a search-and-replace over the handbook), and the
//! batch then waits for [`BURST_QUIET`] of silence, so that the whole burst makes one update.
//! Events that do not matter (a file opened, which is every request for a file of `static/`
//! or `content/`, and the server's own reads) do not count as noise: while browsers load
//! files, a batch still closes [`QUIET`] after the save.

use super::state::Batch;
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Silence that ends a batch of an editor's save.
pub const QUIET: Duration = Duration::from_millis(4);
/// Silence that ends a burst. A writer of many files can be paused for a while by the system
/// (on a busy 2-core machine, 500 files written in a loop once stalled for more than 20 ms
/// after 217 of them, and made two updates); a burst's update waiting 50 ms costs nothing
/// that a contributor sees.
pub const BURST_QUIET: Duration = Duration::from_millis(50);
/// A batch of more files than this is a burst.
const BURST_FILES: usize = 4;
/// A batch is closed after this long even if events keep coming.
const LONGEST_BATCH: Duration = Duration::from_secs(2);

/// The folders of a handbook that are watched, recursively.
pub const FOLDERS: &[&str] = &["content", "templates", "static", "data"];

/// Watches `root` (for `handbook.yml`, and for the folders appearing) and its folders.
pub struct FolderWatcher {
    root: PathBuf,
    watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
}

impl FolderWatcher {
    pub fn new(root: &Path) -> notify::Result<FolderWatcher> {
        let (tx, events) = std::sync::mpsc::channel();
        // Links are not followed: a link to `/` would have the watcher walk the whole disk.
        // Changes inside a linked folder are not seen (docs/writing-pages.md: "Symbolic links").
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher = notify::RecommendedWatcher::new(
            move |event| {
                let _ = tx.send(event);
            },
            config,
        )?;
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
        let mut last = started;
        while started.elapsed() < LONGEST_BATCH {
            let wait = (last + quiet).saturating_duration_since(Instant::now());
            match self.events.recv_timeout(wait) {
                Ok(event) => {
                    if self.add(&mut batch, event) {
                        last = Instant::now();
                    }
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

    /// Adds what the event says to the batch. Returns whether it matters: false for access
    /// and metadata events, and for files that are not the site's (ignored names, other
    /// folders).
    fn add(&mut self, batch: &mut Batch, event: notify::Result<notify::Event>) -> bool {
        let event = match event {
            Ok(event) => event,
            Err(err) => {
                eprintln!("warning: watching files: {err}; reading everything again");
                batch.everything = true;
                return true;
            }
        };
        if event.need_rescan() {
            batch.everything = true;
            return true;
        }
        if matches!(
            event.kind,
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
        ) {
            return false;
        }
        let mut matters = false;
        for path in &event.paths {
            match self.classify(batch, path) {
                Classified::Ignored => {}
                Classified::Added => matters = true,
                Classified::Folder(folder) => {
                    // A watched folder appeared (or was replaced): watch it, read it all.
                    let _ = self.watch_folder(folder);
                    batch.everything = true;
                    matters = true;
                }
            }
        }
        matters
    }

    /// Adds `path` to the batch.
    fn classify(&self, batch: &mut Batch, path: &Path) -> Classified {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return Classified::Ignored;
        };
        let Some(parts) = rel
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<Vec<&str>>>()
        else {
            return Classified::Ignored;
        };
        if parts.iter().any(|name| crate::source::is_ignored(name)) {
            return Classified::Ignored;
        }
        match parts.as_slice() {
            [name] if *name == crate::layout::CONFIG_FILE => batch.everything = true,
            [folder] => {
                return match FOLDERS.iter().copied().find(|f| f == folder) {
                    Some(folder) => Classified::Folder(folder),
                    None => Classified::Ignored,
                };
            }
            ["content", rest @ ..] => {
                batch.content.insert(rest.join("/"));
            }
            ["templates", rest @ ..] => {
                batch.templates = true;
                batch.template_files.insert(rest.join("/"));
            }
            ["data", rest @ ..] => {
                batch.data.insert(rest.join("/"));
            }
            ["static", rest @ ..] => {
                batch.statics.insert(rest.join("/"));
            }
            _ => return Classified::Ignored,
        }
        Classified::Added
    }
}

/// What a path of an event is to the watcher.
enum Classified {
    /// Not part of the site: a dot file, an editor's file, another file of the root.
    Ignored,
    /// Added to the batch.
    Added,
    /// One of the watched folders itself (it appeared, or was replaced).
    Folder(&'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files read while a page is saved (browsers loading `static/`) must not hold the batch
    /// open: it closes [`QUIET`] after the save, not after [`LONGEST_BATCH`].
    #[test]
    fn reads_do_not_delay_a_save() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/theme.css"), "body {}\n").unwrap();
        std::fs::write(root.join("content/a.md"), "# A\n").unwrap();
        let mut watcher = FolderWatcher::new(&root).unwrap();

        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (stop, css) = (stop.clone(), root.join("static/theme.css"));
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = std::fs::read(&css);
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        let saved = Instant::now();
        std::fs::write(root.join("content/a.md"), "# A\n\nEdited.\n").unwrap();
        let batch = watcher.next_batch().unwrap();
        let took = saved.elapsed();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        reader.join().unwrap();

        assert!(batch.content.contains("a.md"), "{batch:?}");
        assert!(
            took < LONGEST_BATCH / 2,
            "the batch closed {took:?} after the save"
        );
    }
}
