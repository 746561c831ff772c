//! Writing the site atomically and incrementally, with nothing of handbook's own in it.
//!
//! Beside the output folder, handbook keeps one hidden folder, its home (`.public.handbook` for
//! `public`): the lock that allows one build at a time, which folder is handbook's output
//! (`output`), the fingerprints of that folder's pages (`manifest`) and what the last build
//! learned about each page (`facts`). The output folder itself holds only the site.
//!
//! A build writes into a folder of the home, `staging`, which between builds holds the folders of
//! the site and no file (making 10,000 folders on every build would cost more than the build).
//! Every new or changed file is written there as a new file, never through a link into the live
//! site. A page whose inputs did not change (same fingerprint in the manifest), and any other file
//! whose bytes did not change, stays where it is. Nothing in the output folder changes until all
//! of that succeeded; then the build commits in one of two ways:
//!
//! - **In place**, when the previous build's list of files (`files`) describes the output folder
//!   and at most [`IN_PLACE_LIMIT`] files are new or changed (an edit, a new page): each is
//!   renamed into the output folder (one atomic rename a file), then the files the new site does
//!   not have are deleted. The files it replaces or deletes are linked into the home first
//!   (`previous`), so that a rename or a deletion that fails puts everything back. A marker in
//!   the home (`applying`) says that this is under way: a build killed in those few
//!   milliseconds leaves it, and the next build then renders every page and exchanges the whole
//!   folder.
//! - **Exchanged**, otherwise: the unchanged files are hard-linked into the staging folder (copied
//!   where links are not possible), and the two folders are exchanged in one atomic rename; the
//!   previous site, now in `staging`, then loses its files and the folders the new site does not
//!   have.
//!
//! A failed build deletes the files it wrote and its temporary files, and leaves everything else
//! as it was.
//!
//! Every write goes through [`safe_relative`], which refuses any path that could leave the
//! staging folder: nothing is ever written outside the output folder.

pub mod facts;
pub mod plan;
pub mod sink;
mod target;

pub use plan::{Origin, Plan, plan};
pub use sink::{Memory, Nowhere, Sink, write_failure};
pub use target::check_target;

use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// In the home: held by a build, so that only one writes an output folder at a time.
const LOCK: &str = "lock";
/// In the home: the identities of the folders handbook made ([`identity`]), one a line.
const OUTPUTS: &str = "output";
const OUTPUTS_HEADER: &str = "handbook output 1";
/// In the home: fingerprints of the pages of the output folder whose identity it names.
const MANIFEST: &str = "manifest";
const MANIFEST_HEADER: &str = "handbook manifest 2";
/// In the home: what the last build learned about each page (its links and headings).
const FACTS: &str = "facts";
/// In the home: the search index as the last build left it, for the next to update.
const SEARCH: &str = "search";
/// In the home: the sidebars of the last build, by digest of what they were rendered from.
const SIDEBARS: &str = "sidebars";
/// In the home: every file of the output folder whose identity it names, one a line.
const FILES: &str = "files";
const FILES_HEADER: &str = "handbook files 1";
/// In the home while an in-place commit changes the output folder file by file.
const APPLYING: &str = "applying";
/// In the home during an in-place commit: links to the files it replaces or deletes.
const PREVIOUS: &str = "previous";
/// At most this many new or changed files are renamed into the output folder one by one; a
/// build that changes more exchanges the whole folder, as a first build does.
const IN_PLACE_LIMIT: usize = 2000;
/// In the home: the folder a build writes, exchanged with the output folder at the end.
const STAGING: &str = "staging";
/// Suffix of the files written in the home before they are renamed into place.
const NEXT: &str = ".next";
/// Suffix of the previous site while [`exchange`] moves it in three renames.
const SWAP: &str = ".swap";

/// Handbook's files inside the output folder before they moved to its home: the marker that
/// said the folder was handbook's, the manifest (with its header) and the facts.
const OLD_MARKER: &str = ".handbook-output";
const OLD_MANIFEST: &str = ".handbook-manifest";
const OLD_MANIFEST_HEADER: &str = "handbook manifest 1";
const OLD_FACTS: &str = ".handbook-facts";

/// Page output path → fingerprint of everything that page was rendered from.
pub type Manifest = HashMap<String, u128>;

pub struct Staging {
    home: PathBuf,
    /// `staging` in the home: the new site, and after the exchange the previous one.
    dir: PathBuf,
    target: PathBuf,
    /// Pages of the output folder, by the manifest that describes it (empty if none does).
    previous: Manifest,
    /// Every file of the output folder, if the previous build's list describes it: then the
    /// build can commit in place.
    previous_files: Option<HashSet<String>>,
    /// The files written into the staging folder, and those of the output folder kept as they
    /// are: together, the new site.
    written: Mutex<Vec<String>>,
    kept: Mutex<Vec<String>>,
    /// The folders of the staging folder this build made.
    made: Mutex<Vec<PathBuf>>,
    /// Taken (and so let go) by the first [`Staging::take_previous_facts`].
    previous_facts: Mutex<Vec<u8>>,
    /// Taken by the first [`Staging::take_previous_search`].
    previous_search: Mutex<Vec<u8>>,
    /// Taken by the first [`Staging::take_previous_sidebars`].
    previous_sidebars: Mutex<Vec<u8>>,
    /// What [`Staging::save_sidebars`] was given, written at the commit.
    next_sidebars: Mutex<Vec<u8>>,
    /// The folders of the new site (`a`, `a/b`), as far as known: those of its pages and
    /// files, and those of the folders readied by [`Staging::begin_folder`].
    folders: Mutex<HashSet<String>>,
    /// Folders whose files are only known later ([`Staging::begin_folder`]): their folders are
    /// kept until then.
    synced: Vec<String>,
    /// The folders the staging folder had when the build began: a failed build leaves those
    /// (none if it did not exist: it is then deleted).
    found: Option<HashSet<String>>,
    /// The previous build left the staging folder without a file (the lock file says so), so
    /// it was not walked: it may have folders the new site does not, which go before an
    /// exchange, and a failed build deletes only the files it wrote.
    tidy: bool,
    /// The home did not exist before this build: a failed build removes it.
    created_home: bool,
    committed: bool,
    /// Held until the build ends: one build at a time per output folder.
    _lock: std::fs::File,
}

use crate::source::walk::beside;
pub use crate::source::walk::home_dir;

impl Staging {
    /// Takes the lock of `target`'s home (creating the home), and readies the staging folder in
    /// it for the new site, whose paths are `outputs`: it holds no file, only the folders of
    /// the previous site that the new one has too (so that they are not made again). A staging
    /// folder left by a build that was killed is deleted first.
    pub fn new(target: &Path, outputs: &BTreeSet<String>, synced: &[&str]) -> io::Result<Staging> {
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let home = home_dir(target);
        let created_home = match std::fs::create_dir(&home) {
            Ok(()) => true,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => false,
            Err(err) => return Err(err),
        };
        // Without the lock, the home is another build's to clean up, even if made here.
        let (lock, killed) = lock(&home)?;
        let mut staging = Staging {
            dir: home.join(STAGING),
            home,
            target: target.to_path_buf(),
            previous: Manifest::new(),
            previous_files: None,
            written: Mutex::default(),
            kept: Mutex::default(),
            made: Mutex::default(),
            previous_facts: Mutex::default(),
            previous_search: Mutex::default(),
            previous_sidebars: Mutex::default(),
            next_sidebars: Mutex::default(),
            folders: Mutex::new(folders_of(outputs.iter().map(String::as_str))),
            synced: synced
                .iter()
                .map(|f| f.trim_end_matches('/').to_string())
                .collect(),
            found: None,
            tidy: false,
            created_home,
            committed: false,
            _lock: lock,
        };
        // From here on, dropping `staging` on an error puts the disk back as it was.
        staging.recover_exchange()?;
        staging.remove_leftovers()?;
        remove_tree(&staging.home.join(PREVIOUS))?;
        staging.prepare_folder(killed)?;
        staging.read_previous()?;
        Ok(staging)
    }

    /// Empties the staging folder of files (a killed build may have left some), keeping the
    /// folders the new site needs; makes it if it is not there. After a build that ended
    /// well, it holds no file: it is left as it is, without walking its folders.
    fn prepare_folder(&mut self, killed: bool) -> io::Result<()> {
        if self.dir.is_dir() && !killed {
            self.tidy = true;
            Ok(())
        } else if self.dir.is_dir() {
            let mut needed = self
                .folders
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .clone();
            needed.extend(self.synced_folders());
            self.found = Some(prune(&self.dir, &needed)?);
            Ok(())
        } else {
            std::fs::create_dir(&self.dir)
        }
    }

    /// The folders in the synced folders of the staging folder, and those folders.
    fn synced_folders(&self) -> HashSet<String> {
        let mut folders = HashSet::new();
        for synced in &self.synced {
            let walk = walkdir::WalkDir::new(self.dir.join(synced)).into_iter();
            for entry in walk.flatten().filter(|e| e.file_type().is_dir()) {
                if let Ok(rel) = entry.path().strip_prefix(&self.dir) {
                    folders.insert(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        folders
    }

    /// Deletes the temporary files a build left in the home.
    fn remove_leftovers(&self) -> io::Result<()> {
        for entry in std::fs::read_dir(&self.home)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().ends_with(NEXT) {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(())
    }

    /// Finishes an exchange in three renames ([`exchange`]) that a killed build left half-done:
    /// the previous site aside in the home, and the output folder either missing (it goes back)
    /// or already the new site (it is deleted).
    fn recover_exchange(&self) -> io::Result<()> {
        let aside = beside(&self.dir, "", SWAP);
        if !aside.is_dir() {
            return Ok(());
        }
        if self.target.exists() {
            remove_tree(&aside)
        } else {
            std::fs::rename(&aside, &self.target)
        }
    }

    /// Reads the manifest and the facts of the output folder: from the home, or from the output
    /// folder itself if an earlier handbook wrote it.
    fn read_previous(&mut self) -> io::Result<()> {
        if !self.target.is_dir() {
            return Ok(());
        }
        if self.home.join(APPLYING).exists() {
            // A commit in place was cut short: the output folder is partly the previous site,
            // partly the new one, and no manifest describes it. Every page is rendered again.
            return Ok(());
        }
        let (manifest, facts) = if self.target.join(OLD_MARKER).is_file() {
            let manifest = self.target.join(OLD_MANIFEST);
            (
                read_manifest(&manifest, OLD_MANIFEST_HEADER),
                self.target.join(OLD_FACTS),
            )
        } else {
            // Only the manifest that names the output folder describes it.
            let id = identity(&self.target)?;
            let header = format!("{MANIFEST_HEADER} {id}");
            self.previous_files = read_files(&self.home.join(FILES), &id);
            (
                read_manifest(&self.home.join(MANIFEST), &header),
                self.home.join(FACTS),
            )
        };
        // Its parts are reused by what they were made from, whichever folder they describe.
        let search = std::fs::read(self.home.join(SEARCH)).unwrap_or_default();
        self.previous_search = Mutex::new(search);
        let sidebars = std::fs::read(self.home.join(SIDEBARS)).unwrap_or_default();
        self.previous_sidebars = Mutex::new(sidebars);
        self.previous = manifest;
        self.previous_facts = Mutex::new(std::fs::read(facts).unwrap_or_default());
        Ok(())
    }

    /// The full path for `rel` in the staging folder, if `rel` is a plain relative path.
    fn path_of(&self, rel: &str) -> io::Result<PathBuf> {
        safe_relative(rel)
            .map(|rel| self.dir.join(rel))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("refusing to write `{rel}`: it is not a path inside the output folder"),
                )
            })
    }

    /// The file `rel` of the output folder as it is now.
    fn current_of(&self, rel: &str) -> Option<PathBuf> {
        safe_relative(rel).map(|rel| self.target.join(rel))
    }

    /// Puts page `rel` of the output folder into the new site if it was rendered from these
    /// inputs; false if it must be rendered again.
    pub fn keep(&self, rel: &str, fingerprint: u128) -> bool {
        self.previous.get(rel) == Some(&fingerprint) && self.keep_file(rel).is_ok()
    }

    /// Keeps file `rel` of the output folder in the new site: where it is, if the build may
    /// commit in place (it must be there), else linked into the staging folder.
    fn keep_file(&self, rel: &str) -> io::Result<()> {
        if self.previous_files.is_some() {
            let path = self.current_of(rel).ok_or(io::ErrorKind::InvalidInput)?;
            if !std::fs::symlink_metadata(path)?.is_file() {
                return Err(io::ErrorKind::NotFound.into());
            }
        } else {
            self.link_file(rel)?;
        }
        if let Ok(mut kept) = self.kept.lock() {
            kept.push(rel.to_string());
        }
        Ok(())
    }

    /// Links file `rel` of the output folder into the staging folder.
    fn link_file(&self, rel: &str) -> io::Result<()> {
        let from = self.target.join(rel);
        match self.create(rel, |to| std::fs::hard_link(&from, to)) {
            Ok(()) => Ok(()),
            Err(err) if is_out_of_space(&err) || err.kind() == io::ErrorKind::NotFound => Err(err),
            // Another file system, or one without hard links: a copy.
            Err(_) => std::fs::copy(&from, self.path_of(rel)?).map(|_| ()),
        }
    }

    /// Makes file `rel` of the staging folder with `make`, which fails if the file is there:
    /// one system call for most files. A file already there goes first (never written through:
    /// it may be a link to the output folder's), a missing folder is made.
    fn create(&self, rel: &str, make: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
        let path = self.path_of(rel)?;
        match make(&path) {
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(&path)?;
                make(&path)
            }
            // The folder is missing, or another thread made it meanwhile; or, for a link, the
            // file linked to is missing, which trying again says once more.
            Err(err) if err.kind() == io::ErrorKind::NotFound => match path.parent() {
                Some(parent) => {
                    self.make_folder(parent)?;
                    make(&path)
                }
                None => Err(err),
            },
            done => done,
        }
    }

    /// Makes `folder` of the staging folder and the folders above it that are missing. In a
    /// staging folder that was not walked, it records those it made: a failed build deletes
    /// them.
    fn make_folder(&self, folder: &Path) -> io::Result<()> {
        make_folders(&self.dir, folder, &mut |made| {
            if self.tidy
                && let Ok(mut list) = self.made.lock()
            {
                list.push(made.to_path_buf());
            }
        })
    }

    /// Writes `rel` as a new file (never through a link into the output folder).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        // Recorded first: a failed build deletes what a write cut short left.
        if let Ok(mut written) = self.written.lock() {
            written.push(rel.to_string());
        }
        self.create(rel, |path| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            io::Write::write_all(&mut file, bytes)
        })
    }

    /// Writes `bytes`, or links the output folder's file if it holds exactly them.
    pub fn write_if_changed(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let current = self.current_of(rel).map(std::fs::read);
        if current.is_some_and(|old| old.is_ok_and(|old| old == bytes))
            && self.keep_file(rel).is_ok()
        {
            return Ok(());
        }
        self.write(rel, bytes)
    }

    /// Copies `source`, or links the output folder's file if it holds the same bytes. The
    /// source is opened as [`crate::source::walk::open`] does: never through a link, never a pipe.
    pub fn copy(&self, rel: &str, source: &Path) -> io::Result<()> {
        let (mut file, meta) = crate::source::walk::open(source)?;
        let mut new = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut new)?;
        if let Some(current) = self.current_of(rel)
            && let Ok(old) = std::fs::metadata(&current)
            && old.is_file()
            && old.len() == meta.len()
            && std::fs::read(&current)? == new
            && self.keep_file(rel).is_ok()
        {
            return Ok(());
        }
        self.write(rel, &new)
    }

    /// Readies folder `folder` (`_search/`) for files in the folders `wanted` (`_search/p`,
    /// relative to the output folder), whose files are then written as any other: what the
    /// previous build had there goes.
    pub fn begin_folder(&self, folder: &str, wanted: HashSet<String>) -> io::Result<()> {
        let inside = self.path_of(folder.trim_end_matches('/'))?;
        // The folders of the previous index that this one does not have.
        let relative = wanted
            .iter()
            .filter_map(|f| f.strip_prefix(folder))
            .map(String::from)
            .collect();
        prune(&inside, &relative)?;
        if wanted.is_empty() {
            let _ = std::fs::remove_dir(&inside);
        }
        if let Ok(mut folders) = self.folders.lock() {
            folders.extend(wanted);
        }
        Ok(())
    }

    /// What the build of the output folder saved with [`Staging::commit`].
    pub fn take_previous_facts(&self) -> Vec<u8> {
        self.previous_facts
            .lock()
            .map(|mut facts| std::mem::take(&mut *facts))
            .unwrap_or_default()
    }

    /// What the build of the output folder saved of its search index with [`Staging::commit`].
    pub fn take_previous_search(&self) -> Vec<u8> {
        self.previous_search
            .lock()
            .map(|mut search| std::mem::take(&mut *search))
            .unwrap_or_default()
    }

    /// What the build of the output folder saved of its sidebars with
    /// [`Staging::save_sidebars`].
    pub fn take_previous_sidebars(&self) -> Vec<u8> {
        self.previous_sidebars
            .lock()
            .map(|mut saved| std::mem::take(&mut *saved))
            .unwrap_or_default()
    }

    /// Keeps `bytes` (the sidebars, [`crate::render::save_sidebars`]) for the next build:
    /// written at the commit.
    pub fn save_sidebars(&self, bytes: Vec<u8>) {
        if let Ok(mut next) = self.next_sidebars.lock() {
            *next = bytes;
        }
    }

    /// The output folder this staging folder is for.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Records the manifest, the facts and the search index's state (written by `facts` and
    /// `search`), and puts the new site in place of the output folder: in place if it can, else
    /// by exchanging the folders and deleting the previous site.
    pub fn commit(
        mut self,
        manifest: &Manifest,
        facts: impl FnOnce(&mut dyn io::Write) -> io::Result<()> + Send,
        search: impl FnOnce(&mut dyn io::Write) -> io::Result<()> + Send,
    ) -> io::Result<()> {
        // Kept in `self` too: a commit that fails deletes them.
        let mut written = self.written.lock().map_err(|_| poisoned())?.clone();
        // A file written twice is the second.
        written.sort_unstable();
        written.dedup();
        let kept = std::mem::take(&mut *self.kept.lock().map_err(|_| poisoned())?);
        let in_place = self.in_place_plan(&written, &kept);
        if in_place.is_none() && self.previous_files.is_some() {
            // The unchanged files were left where they are: the new site needs them too.
            let new: HashSet<&String> = written.iter().collect();
            kept.par_iter()
                .filter(|rel| !new.contains(rel))
                .try_for_each(|rel| self.link_file(rel))?;
        }
        let new = match in_place {
            Some(_) => identity(&self.target)?,
            None => identity(&self.dir)?,
        };
        // Until the exchange is done, the output folder as it is stays handbook's too.
        let old = self
            .target
            .is_dir()
            .then(|| identity(&self.target))
            .transpose()?
            .filter(|old| *old != new);
        let outputs = old
            .iter()
            .chain([&new])
            .fold(format!("{OUTPUTS_HEADER}\n"), |text, id| {
                format!("{text}{id}\n")
            });
        let mut records = format!("{MANIFEST_HEADER} {new}\n");
        let sorted: std::collections::BTreeMap<&String, &u128> = manifest.iter().collect();
        for (rel, hash) in sorted {
            records.push_str(&format!("{hash:032x} {rel}\n"));
        }
        let mut files = format!("{FILES_HEADER} {new}\n");
        for rel in written.iter().chain(&kept) {
            files.push_str(rel);
            files.push('\n');
        }
        // Everything that needs room on the disk first, so that a full disk changes nothing.
        let sidebars = std::mem::take(&mut *self.next_sidebars.lock().map_err(|_| poisoned())?);
        for (name, bytes) in [
            (OUTPUTS, outputs.as_bytes()),
            (MANIFEST, records.as_bytes()),
            (FILES, files.as_bytes()),
            (SIDEBARS, &sidebars[..]),
        ] {
            std::fs::write(self.home.join(format!("{name}{NEXT}")), bytes)?;
        }
        // Two files made from what the build holds: written at the same time.
        let (facts, search) = rayon::join(
            || self.write_next(FACTS, facts),
            || self.write_next(SEARCH, search),
        );
        facts?;
        search?;
        self.put_in_place(OUTPUTS)?;
        let exchanged = in_place.is_none();
        if exchanged && self.tidy {
            // The staging folder was not walked: the folders of the previous site that the new
            // one does not have go before it becomes the output folder.
            let mut needed = folders_of(written.iter().chain(&kept).map(String::as_str));
            needed.extend(self.folders.lock().map_err(|_| poisoned())?.iter().cloned());
            prune_folders(&self.dir, &needed)?;
        }
        match in_place {
            Some(plan) => {
                std::fs::write(self.home.join(APPLYING), b"")?;
                self.apply(&written, plan)?;
                self.committed = true;
            }
            None if self.target.exists() => {
                exchange(&self.dir, &self.target)?;
                self.committed = true;
            }
            None => {
                std::fs::rename(&self.dir, &self.target)?;
                self.committed = true;
            }
        }
        // The new site is in place. A manifest names the folder it describes, so one that
        // fails to move here is not taken for it: the next build renders every page.
        let _ = self.put_in_place(MANIFEST);
        let _ = self.put_in_place(FACTS);
        let _ = self.put_in_place(SEARCH);
        let _ = self.put_in_place(FILES);
        let _ = self.put_in_place(SIDEBARS);
        let _ = std::fs::remove_file(self.home.join(APPLYING));
        // The staging folder holds no file now, unless deleting the previous site failed.
        if !exchanged || self.forget_previous(&new) {
            self.ended_tidy();
        }
        Ok(())
    }

    /// What a commit in place deletes: the files and then the folders of the output folder that
    /// the new site does not have. None if the build must exchange the folders instead: no list
    /// of the output folder's files, too many changed files, or a file where the new site has a
    /// folder, a folder where it has a file, a link where either has a folder.
    fn in_place_plan(&self, written: &[String], kept: &[String]) -> Option<InPlace> {
        let previous = self.previous_files.as_ref()?;
        if written.len() > IN_PLACE_LIMIT || !self.target.is_dir() {
            return None;
        }
        let now: HashSet<&str> = written.iter().chain(kept).map(String::as_str).collect();
        let removed: Vec<String> = previous
            .iter()
            .filter(|rel| !now.contains(rel.as_str()))
            .cloned()
            .collect();
        if removed.len() > IN_PLACE_LIMIT {
            return None;
        }
        let folders = folders_of(now.iter().copied());
        let before = folders_of(previous.iter().map(String::as_str));
        if written.iter().any(|rel| before.contains(rel))
            || previous.iter().any(|rel| folders.contains(rel))
        {
            return None;
        }
        // Every folder a file is renamed into or deleted from must be a folder of the output
        // folder, never a link out of it.
        let mut checked = HashSet::new();
        for rel in written.iter().chain(&removed) {
            for (i, _) in rel.match_indices('/') {
                if !checked.insert(&rel[..i]) {
                    continue;
                }
                match std::fs::symlink_metadata(self.target.join(&rel[..i])) {
                    Ok(meta) if meta.is_dir() => {}
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                    _ => return None,
                }
            }
            match std::fs::symlink_metadata(self.target.join(rel)) {
                Ok(meta) if meta.is_dir() => return None,
                _ => {}
            }
        }
        let mut gone: Vec<String> = before.difference(&folders).cloned().collect();
        // Deepest first, so that a folder is empty when its turn comes.
        gone.sort_by_key(|f| std::cmp::Reverse(f.matches('/').count()));
        Some(InPlace { removed, gone })
    }

    /// Commits in place: renames each written file into the output folder, then deletes the
    /// files and the folders the new site does not have. The files replaced or deleted are
    /// linked into `previous` in the home first: if a rename or a deletion fails, everything is
    /// put back and the output folder is as it was.
    fn apply(&self, written: &[String], plan: InPlace) -> io::Result<()> {
        let backup = self.home.join(PREVIOUS);
        remove_tree(&backup)?;
        let mut done = Applied::default();
        if let Err(err) = self.apply_steps(written, &plan, &backup, &mut done) {
            let restored = self.roll_back(&done, &backup);
            let _ = remove_tree(&backup);
            if restored.is_ok() {
                let _ = std::fs::remove_file(self.home.join(APPLYING));
                return Err(err);
            }
            return Err(io::Error::new(
                err.kind(),
                format!(
                    "{err}; the output folder holds part of the new site, which the next build will finish"
                ),
            ));
        }
        for folder in &plan.gone {
            // A folder that still holds something that is not handbook's stays.
            let _ = std::fs::remove_dir(self.target.join(folder));
            let _ = std::fs::remove_dir(self.dir.join(folder));
        }
        let _ = remove_tree(&backup);
        Ok(())
    }

    fn apply_steps<'a>(
        &self,
        written: &'a [String],
        plan: &'a InPlace,
        backup: &Path,
        done: &mut Applied<'a>,
    ) -> io::Result<()> {
        std::fs::create_dir(backup)?;
        for rel in written.iter().chain(&plan.removed) {
            let from = self.target.join(rel);
            if std::fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
                let to = backup.join(rel);
                std::fs::create_dir_all(to.parent().unwrap_or(backup))?;
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to)?;
                }
            }
        }
        for rel in written {
            let to = self.target.join(rel);
            if let Some(parent) = to.parent() {
                make_folders(&self.target, parent, &mut |made| {
                    done.made.push(made.to_path_buf());
                })?;
            }
            fail_for_tests()?;
            std::fs::rename(self.dir.join(rel), &to)?;
            done.moved.push(rel);
        }
        for rel in &plan.removed {
            fail_for_tests()?;
            match std::fs::remove_file(self.target.join(rel)) {
                Ok(()) => done.removed.push(rel),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// Undoes what [`Staging::apply_steps`] did: the files replaced or deleted come back from
    /// `backup`, the new ones go, and so do the folders made for them.
    fn roll_back(&self, done: &Applied<'_>, backup: &Path) -> io::Result<()> {
        let mut result = Ok(());
        for rel in done.moved.iter().chain(&done.removed) {
            let (kept, live) = (backup.join(rel), self.target.join(rel));
            let put_back = match kept.exists() {
                true => std::fs::rename(&kept, &live),
                false => std::fs::remove_file(&live),
            };
            result = result.and(put_back);
        }
        for folder in done.made.iter().rev() {
            result = result.and(std::fs::remove_dir(folder));
        }
        result
    }

    /// Writes `{name}.next` in the home with `write`.
    fn write_next(
        &self,
        name: &str,
        write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let path = self.home.join(format!("{name}{NEXT}"));
        let mut file = io::BufWriter::new(std::fs::File::create(path)?);
        write(&mut file)?;
        file.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(())
    }

    /// Renames `{name}.next` to `name` in the home.
    fn put_in_place(&self, name: &str) -> io::Result<()> {
        let next = self.home.join(format!("{name}{NEXT}"));
        std::fs::rename(next, self.home.join(name))
    }

    /// After a successful exchange: deletes the files of the previous site and its folders that
    /// the new one does not have, what an earlier handbook kept beside and in the output folder,
    /// and records that only the new output folder is handbook's. Failures are left for the
    /// next build, which deletes the same leftovers.
    fn forget_previous(&self, new: &str) -> bool {
        let pruned = match self.folders.lock() {
            Ok(folders) => prune(&self.dir, &folders).is_ok(),
            Err(_) => false,
        };
        let old_staging = beside(&self.target, ".", ".staging");
        if old_staging.join(OLD_MARKER).is_file() {
            let _ = remove_tree(&old_staging);
        }
        let _ = std::fs::remove_file(beside(&self.target, ".", ".lock"));
        let next = self.home.join(format!("{OUTPUTS}{NEXT}"));
        if std::fs::write(&next, format!("{OUTPUTS_HEADER}\n{new}\n")).is_ok() {
            let _ = self.put_in_place(OUTPUTS);
        }
        pruned
    }

    /// After a failed build that did not walk the staging folder: deletes the files it wrote
    /// there, and the folders it made for them.
    fn remove_written(&self) -> io::Result<()> {
        let written = self.written.lock().map_err(|_| poisoned())?;
        for rel in written.iter() {
            match std::fs::remove_file(self.dir.join(rel)) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        let mut made = self.made.lock().map_err(|_| poisoned())?;
        made.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
        for folder in made.iter() {
            let _ = std::fs::remove_dir(folder);
        }
        Ok(())
    }

    /// Records in the lock file that the staging folder holds no file: the next build need
    /// not walk it.
    fn ended_tidy(&self) {
        let _ = self._lock.set_len(0);
    }
}

impl Drop for Staging {
    /// Deletes the staging folder (the previous site after a commit) and the temporary files;
    /// after a failed first build, the home too.
    fn drop(&mut self) {
        if !self.committed {
            let cleaned = match &self.found {
                Some(found) => prune(&self.dir, found).map(drop),
                None if self.tidy => self.remove_written(),
                None => remove_tree(&self.dir),
            };
            if cleaned.is_ok() {
                self.ended_tidy();
            }
        }
        let _ = self.remove_leftovers();
        if self.created_home && !self.committed {
            let _ = std::fs::remove_dir_all(&self.home);
        }
    }
}

/// What a commit in place did so far, to undo it if a step fails.
#[derive(Default)]
struct Applied<'a> {
    moved: Vec<&'a String>,
    removed: Vec<&'a String>,
    /// Folders of the output folder made for the files moved in, in the order made.
    made: Vec<PathBuf>,
}

#[cfg(test)]
thread_local! {
    /// Steps of a commit in place left before one fails: how tests make a rename fail.
    static STEPS_BEFORE_FAILING: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Fails when the test running says so ([`STEPS_BEFORE_FAILING`]); never outside tests.
fn fail_for_tests() -> io::Result<()> {
    #[cfg(test)]
    if let Some(left) = STEPS_BEFORE_FAILING.get() {
        if left == 0 {
            return Err(io::Error::other("a failure made by the test"));
        }
        STEPS_BEFORE_FAILING.set(Some(left - 1));
    }
    Ok(())
}

/// What a commit in place deletes ([`Staging::in_place_plan`]).
struct InPlace {
    removed: Vec<String>,
    /// Deepest first.
    gone: Vec<String>,
}

fn poisoned() -> io::Error {
    io::Error::other("a thread of the build failed")
}

/// The list of files at `path` ([`FILES`]), if it describes the folder of identity `id`.
fn read_files(path: &Path, id: &str) -> Option<HashSet<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    (lines.next()? == format!("{FILES_HEADER} {id}")).then(|| lines.map(String::from).collect())
}

/// The folders of files `rels` and their ancestors: `a` and `a/b` for `a/b/c.html`.
fn folders_of<'a>(rels: impl Iterator<Item = &'a str>) -> HashSet<String> {
    let mut folders = HashSet::new();
    for rel in rels {
        for (i, _) in rel.match_indices('/') {
            folders.insert(rel[..i].to_string());
        }
    }
    folders
}

/// Deletes every file under `dir` and every folder not in `keep` (paths relative to `dir`),
/// each top-level folder in parallel. Returns the folders kept.
fn prune(dir: &Path, keep: &HashSet<String>) -> io::Result<HashSet<String>> {
    let entries = match std::fs::read_dir(dir) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        entries => entries?,
    };
    let entries: Vec<std::fs::DirEntry> = entries.collect::<io::Result<_>>()?;
    let kept = entries
        .par_iter()
        .map(|entry| {
            let mut kept = HashSet::new();
            // Deepest first, so that a folder is empty when its turn comes.
            for found in walkdir::WalkDir::new(entry.path()).contents_first(true) {
                let found = found.map_err(io::Error::other)?;
                let rel = found.path().strip_prefix(dir).map_err(io::Error::other)?;
                let rel = rel.to_string_lossy().replace('\\', "/");
                if !found.file_type().is_dir() {
                    std::fs::remove_file(found.path())?;
                } else if keep.contains(&rel) {
                    kept.insert(rel);
                } else {
                    std::fs::remove_dir(found.path())?;
                }
            }
            Ok(kept)
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(kept.into_iter().flatten().collect())
}

/// Makes `folder`, below `root`, and the folders between them that are missing: the folder
/// first, its parents only if that fails for want of them (one system call where they are
/// there). `made` is told of each folder made, parents first; one another thread made
/// meanwhile is not an error.
fn make_folders(root: &Path, folder: &Path, made: &mut dyn FnMut(&Path)) -> io::Result<()> {
    let result = match std::fs::create_dir(folder) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => match folder.parent() {
            Some(parent) if parent != root => {
                make_folders(root, parent, made)?;
                std::fs::create_dir(folder)
            }
            _ => Err(err),
        },
        result => result,
    };
    match result {
        Ok(()) => {
            made(folder);
            Ok(())
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

/// Deletes the folders under `dir` that are not in `keep` (paths relative to `dir`) and hold
/// no file, deepest first.
fn prune_folders(dir: &Path, keep: &HashSet<String>) -> io::Result<()> {
    for found in walkdir::WalkDir::new(dir).min_depth(1).contents_first(true) {
        let found = found.map_err(io::Error::other)?;
        if !found.file_type().is_dir() {
            continue;
        }
        let rel = found.path().strip_prefix(dir).map_err(io::Error::other)?;
        if !keep.contains(&rel.to_string_lossy().replace('\\', "/")) {
            // A folder with a file of the new site in it stays, as it must.
            let _ = std::fs::remove_dir(found.path());
        }
    }
    Ok(())
}

/// Deletes a folder and everything in it, its subfolders in parallel; nothing if it is not
/// there.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        entries => entries?,
    };
    let entries: Vec<std::fs::DirEntry> = entries.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())
        } else {
            std::fs::remove_file(entry.path())
        }
    })?;
    std::fs::remove_dir(dir)
}

/// True for the errors of a disk without room for the site: full, over quota, or a file larger
/// than the system allows.
pub fn is_out_of_space(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::FileTooLarge
    )
}

/// What tells one folder from another on this system, kept by renames: its device, its inode
/// and when it was created (a folder made after another was deleted may get its inode number;
/// 0 where the system does not record creation times).
fn identity(path: &Path) -> io::Result<String> {
    let meta = std::fs::symlink_metadata(path)?;
    let born = meta
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(format!("{}:{}:{born}", meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        Ok(format!("created:{born}"))
    }
}

/// Locks `lock` in the home, or says that another build holds it. The lock file is empty
/// between builds that ended well: true if it is not (a build was killed, and may have left
/// files in the staging folder). It says so for this build until [`Staging::ended_tidy`].
fn lock(home: &Path) -> io::Result<(std::fs::File, bool)> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(home.join(LOCK))?;
    match file.try_lock() {
        Ok(()) => {
            let killed = file.metadata()?.len() > 0;
            if !killed {
                io::Write::write_all(&mut file, b"building\n")?;
            }
            Ok((file, killed))
        }
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "another handbook build is writing this output folder right now; wait for it to finish and build again",
        )),
        Err(std::fs::TryLockError::Error(err)) => Err(err),
    }
}

/// The manifest at `path`, if it starts with `header`; else an empty one.
fn read_manifest(path: &Path, header: &str) -> Manifest {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Manifest::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(header) {
        return Manifest::new();
    }
    lines
        .filter_map(|line| {
            let (hash, rel) = line.split_once(' ')?;
            Some((rel.to_string(), u128::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

/// Swaps two folders in one atomic step where the system can (Linux `RENAME_EXCHANGE`), else in
/// three renames that put everything back if one fails.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let ca = CString::new(a.as_os_str().as_bytes())?;
        let cb = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
    }
    let aside = beside(a, "", SWAP);
    std::fs::rename(b, &aside)?;
    if let Err(err) = std::fs::rename(a, b) {
        std::fs::rename(&aside, b)?;
        return Err(err);
    }
    std::fs::rename(&aside, a)
}

/// `rel` as a path made only of normal components (no `..`, no root, no drive, no backslash).
pub fn safe_relative(rel: &str) -> Option<&Path> {
    if rel.is_empty() || rel.contains(['\\', '\0']) {
        return None;
    }
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts that are `facts`, for [`Staging::commit`].
    fn text(facts: &str) -> impl FnOnce(&mut dyn io::Write) -> io::Result<()> + '_ {
        move |w| w.write_all(facts.as_bytes())
    }

    #[test]
    fn only_plain_relative_paths_are_written() {
        assert!(safe_relative("a/b/index.html").is_some());
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "a\0b",
            "./x",
        ] {
            assert!(safe_relative(bad).is_none(), "{bad:?} accepted");
        }
    }

    /// Every file and folder under `dir`, with the bytes of the files.
    fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
        let mut all: Vec<_> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                (
                    rel,
                    e.file_type()
                        .is_file()
                        .then(|| std::fs::read(e.path()).unwrap()),
                )
            })
            .collect();
        all.sort();
        all
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    fn outputs(rels: &[&str]) -> BTreeSet<String> {
        rels.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_build_that_was_killed_leaves_nothing_in_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        for _ in 0..2 {
            let build = Staging::new(&target, &outputs(&["a/b.txt"]), &[]).unwrap();
            build.write("a/b.txt", b"b").unwrap();
            build.commit(&Manifest::new(), text(""), text("")).unwrap();
        }
        // What a build killed while writing `c.txt` leaves: the file, and the lock file that
        // says a build was under way.
        let home = home_dir(&target);
        std::fs::write(home.join(STAGING).join("c.txt"), "c").unwrap();
        std::fs::write(home.join(LOCK), "building\n").unwrap();
        // Without the list of files, the next build exchanges the folders.
        std::fs::remove_file(home.join(FILES)).unwrap();
        let next = Staging::new(&target, &outputs(&["a/b.txt"]), &[]).unwrap();
        next.write("a/b.txt", b"b").unwrap();
        next.commit(&Manifest::new(), text(""), text("")).unwrap();
        assert_eq!(names(&target), ["a"], "c.txt is not published");
        assert_eq!(std::fs::read(home.join(LOCK)).unwrap(), b"", "ended well");
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_build_links_unchanged_files_and_leaves_only_the_site_and_its_home() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        first.write("a/index.html", b"one").unwrap();
        first.write("b/c/x.txt", b"x").unwrap();
        first.write_if_changed("same.txt", b"same").unwrap();
        first
            .commit(
                &Manifest::from([("a/index.html".into(), 7)]),
                text("facts"),
                text(""),
            )
            .unwrap();
        assert_eq!(names(dir.path()), [".public.handbook", "public"]);
        assert_eq!(names(&target), ["a", "b", "same.txt"]);
        assert_eq!(
            names(&home_dir(&target)),
            [FACTS, FILES, LOCK, MANIFEST, OUTPUTS, SEARCH, SIDEBARS],
            "no staging folder, no temporary file"
        );
        let (page, same) = (
            inode(&target.join("a/index.html")),
            inode(&target.join("same.txt")),
        );

        let second = Staging::new(
            &target,
            &outputs(&["a/index.html", "same.txt", "new.txt"]),
            &[],
        )
        .unwrap();
        assert_eq!(second.take_previous_facts(), b"facts");
        assert!(!second.keep("a/index.html", 8), "another fingerprint");
        assert!(second.keep("a/index.html", 7));
        second.write_if_changed("same.txt", b"same").unwrap();
        second.write_if_changed("new.txt", b"new").unwrap();
        second
            .commit(
                &Manifest::from([("a/index.html".into(), 7)]),
                text(""),
                text(""),
            )
            .unwrap();
        assert_eq!(names(&target), ["a", "new.txt", "same.txt"], "b/ is stale");
        assert_eq!(
            inode(&target.join("a/index.html")),
            page,
            "a kept page is a link"
        );
        assert_eq!(inode(&target.join("same.txt")), same);
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"one");
        let home = home_dir(&target);
        assert_eq!(
            names(&home),
            [
                FACTS, FILES, LOCK, MANIFEST, OUTPUTS, SEARCH, SIDEBARS, STAGING
            ]
        );
        assert!(tree(&home.join(STAGING)).is_empty(), "committed in place");
    }

    /// A site of `files` (relative path, bytes), all of them pages, fingerprinted by their bytes.
    fn built(target: &Path, files: &[(&str, &str)]) {
        let rels: Vec<&str> = files.iter().map(|(rel, _)| *rel).collect();
        let build = Staging::new(target, &outputs(&rels), &[]).unwrap();
        let mut manifest = Manifest::new();
        for (rel, bytes) in files {
            let fingerprint = xxhash_rust::xxh3::xxh3_128(bytes.as_bytes());
            if !build.keep(rel, fingerprint) {
                build.write(rel, bytes.as_bytes()).unwrap();
            }
            manifest.insert(rel.to_string(), fingerprint);
        }
        build.commit(&manifest, text(""), text("")).unwrap();
    }

    #[test]
    fn a_small_change_is_committed_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        built(
            &target,
            &[("a/index.html", "a"), ("b/c/x.txt", "x"), ("d.txt", "d")],
        );
        let (folder, kept) = (inode(&target), inode(&target.join("a/index.html")));
        built(
            &target,
            &[("a/index.html", "a"), ("d.txt", "D"), ("e/f.txt", "f")],
        );
        assert_eq!(inode(&target), folder, "the same folder, changed in place");
        assert_eq!(inode(&target.join("a/index.html")), kept);
        assert_eq!(
            tree(&target),
            [
                ("a".to_string(), None),
                ("a/index.html".to_string(), Some(b"a".to_vec())),
                ("d.txt".to_string(), Some(b"D".to_vec())),
                ("e".to_string(), None),
                ("e/f.txt".to_string(), Some(b"f".to_vec())),
            ],
            "b/c/x.txt and its folders are gone"
        );
        let home = home_dir(&target);
        assert!(!home.join(APPLYING).exists());
        assert!(
            tree(&home.join(STAGING))
                .iter()
                .all(|(_, bytes)| bytes.is_none())
        );
        // The list of files describes the folder: the next small change is in place too.
        built(
            &target,
            &[("a/index.html", "A"), ("d.txt", "D"), ("e/f.txt", "f")],
        );
        assert_eq!(inode(&target), folder);
        assert_eq!(std::fs::read(target.join("a/index.html")).unwrap(), b"A");
    }

    #[test]
    fn a_commit_in_place_that_fails_halfway_puts_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        built(&target, &[("a.txt", "a"), ("b/c.txt", "c"), ("d.txt", "d")]);
        let before = tree(&target);
        let folder = inode(&target);
        // Two renames, then the deletion of d.txt; then two renames; then one.
        for steps in [2, 1, 0] {
            STEPS_BEFORE_FAILING.set(Some(steps));
            let build =
                Staging::new(&target, &outputs(&["a.txt", "b/c.txt", "e/f.txt"]), &[]).unwrap();
            build.write("a.txt", b"A").unwrap();
            build.write("e/f.txt", b"f").unwrap();
            assert!(build.keep("b/c.txt", xxhash_rust::xxh3::xxh3_128(b"c")));
            let manifest = Manifest::from([("b/c.txt".into(), xxhash_rust::xxh3::xxh3_128(b"c"))]);
            let err = build.commit(&manifest, text(""), text("")).unwrap_err();
            STEPS_BEFORE_FAILING.set(None);
            assert!(err.to_string().contains("made by the test"), "{err}");
            assert_eq!(tree(&target), before, "after {steps} steps");
            assert_eq!(inode(&target), folder);
            let home = home_dir(&target);
            assert!(!home.join(APPLYING).exists());
            assert!(!home.join(PREVIOUS).exists());
        }
        built(
            &target,
            &[("a.txt", "A"), ("b/c.txt", "c"), ("e/f.txt", "f")],
        );
        assert_eq!(inode(&target), folder, "in place once the failure is gone");
        assert_eq!(
            tree(&target),
            [
                ("a.txt".to_string(), Some(b"A".to_vec())),
                ("b".to_string(), None),
                ("b/c.txt".to_string(), Some(b"c".to_vec())),
                ("e".to_string(), None),
                ("e/f.txt".to_string(), Some(b"f".to_vec())),
            ]
        );
    }

    #[test]
    fn a_commit_in_place_cut_short_makes_the_next_build_start_over() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        built(&target, &[("a.txt", "a"), ("b.txt", "b")]);
        std::fs::write(home_dir(&target).join(APPLYING), "").unwrap();
        let folder = inode(&target);
        let next = Staging::new(&target, &outputs(&["a.txt"]), &[]).unwrap();
        assert!(
            !next.keep("a.txt", 1),
            "no manifest describes the folder now"
        );
        next.write("a.txt", b"a").unwrap();
        next.commit(&Manifest::from([("a.txt".into(), 1)]), text(""), text(""))
            .unwrap();
        assert_ne!(inode(&target), folder, "the whole folder was exchanged");
        assert_eq!(tree(&target), [("a.txt".to_string(), Some(b"a".to_vec()))]);
        assert!(!home_dir(&target).join(APPLYING).exists());
    }

    #[test]
    fn a_large_change_or_a_strange_folder_exchanges_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let many: Vec<(String, String)> = (0..=IN_PLACE_LIMIT)
            .map(|i| (format!("p/{i}.txt"), i.to_string()))
            .collect();
        let mut files: Vec<(&str, &str)> =
            many.iter().map(|(r, b)| (r.as_str(), b.as_str())).collect();
        files.push(("same.txt", "same"));
        built(&target, &files);
        let folder = inode(&target);
        let same = inode(&target.join("same.txt"));
        let changed: Vec<(String, String)> = many
            .iter()
            .map(|(r, b)| (r.clone(), format!("{b}!")))
            .collect();
        let mut files: Vec<(&str, &str)> = changed
            .iter()
            .map(|(r, b)| (r.as_str(), b.as_str()))
            .collect();
        files.push(("same.txt", "same"));
        built(&target, &files);
        assert_ne!(inode(&target), folder, "too many changes: exchanged");
        assert_eq!(inode(&target.join("same.txt")), same, "linked, not written");
        assert_eq!(std::fs::read(target.join("p/7.txt")).unwrap(), b"7!");

        // Someone made a folder of the site a link to a folder outside it.
        let outside = dir.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("0.txt"), "mine").unwrap();
        std::fs::remove_dir_all(target.join("p")).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("p")).unwrap();
        let folder = inode(&target);
        built(&target, &[("p/0.txt", "0"), ("same.txt", "same")]);
        assert_ne!(inode(&target), folder, "a link in the way: exchanged");
        assert_eq!(std::fs::read(outside.join("0.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read(target.join("p/0.txt")).unwrap(), b"0");
        assert!(
            !std::fs::symlink_metadata(target.join("p"))
                .unwrap()
                .is_symlink()
        );

        // A page where there was a folder.
        let folder = inode(&target);
        built(&target, &[("p", "page"), ("same.txt", "same")]);
        assert_ne!(inode(&target), folder);
        assert_eq!(std::fs::read(target.join("p")).unwrap(), b"page");
    }

    #[test]
    fn a_file_whose_folder_another_thread_just_made_is_still_written() {
        // The race of two threads writing into a missing folder, played in order: the first
        // try fails for want of the folder, which the other thread makes before this one looks.
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::new(&dir.path().join("public"), &BTreeSet::new(), &[]).unwrap();
        let tries = std::sync::atomic::AtomicUsize::new(0);
        staging
            .create("a/b/c.txt", |path| {
                if tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                    std::fs::create_dir_all(path.parent().unwrap())?;
                    return Err(io::ErrorKind::NotFound.into());
                }
                std::fs::write(path, b"c")
            })
            .unwrap();
        assert_eq!(std::fs::read(staging.dir.join("a/b/c.txt")).unwrap(), b"c");
    }

    #[test]
    fn a_changed_file_is_a_new_file_never_a_write_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        first.write("a.txt", b"old").unwrap();
        first.write("b.txt", b"old").unwrap();
        first
            .commit(&Manifest::from([("a.txt".into(), 1)]), text(""), text(""))
            .unwrap();
        let before = tree(&target);
        let second = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        assert!(second.keep("a.txt", 1));
        second.write("a.txt", b"new").unwrap();
        second.write_if_changed("b.txt", b"new").unwrap();
        assert_eq!(
            tree(&target),
            before,
            "the live site is untouched until the exchange"
        );
        second.commit(&Manifest::new(), text(""), text("")).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"new");
        assert_eq!(std::fs::read(target.join("b.txt")).unwrap(), b"new");
    }

    #[test]
    fn a_build_that_does_not_commit_leaves_everything_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let failed = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        failed.write("a.txt", b"a").unwrap();
        drop(failed);
        assert!(
            tree(dir.path()).is_empty(),
            "a failed first build leaves nothing"
        );

        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        first.write("a.txt", b"a").unwrap();
        first
            .commit(&Manifest::from([("a.txt".into(), 1)]), text("f"), text(""))
            .unwrap();
        let second = Staging::new(&target, &outputs(&["a.txt", "b/c.txt"]), &[]).unwrap();
        second.write("a.txt", b"a").unwrap();
        second.write("b/c.txt", b"c").unwrap();
        second
            .commit(&Manifest::from([("a.txt".into(), 1)]), text("f"), text(""))
            .unwrap();
        let before = tree(dir.path());
        let failed =
            Staging::new(&target, &outputs(&["a.txt", "b/c.txt", "d/e.txt"]), &[]).unwrap();
        assert!(failed.keep("a.txt", 1));
        failed.write("b/c.txt", b"c").unwrap();
        failed.write("d/e.txt", b"e").unwrap();
        drop(failed);
        assert_eq!(tree(dir.path()), before);
    }

    #[test]
    fn an_output_folder_of_the_old_layout_is_used_and_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let old_staging = dir.path().join(".public.staging");
        for folder in [&target, &old_staging] {
            std::fs::create_dir_all(folder.join("a")).unwrap();
            std::fs::write(folder.join(OLD_MARKER), "made by handbook").unwrap();
            std::fs::write(folder.join("a/index.html"), "one").unwrap();
        }
        let manifest = format!("{OLD_MANIFEST_HEADER}\n{:032x} a/index.html\n", 7);
        std::fs::write(target.join(OLD_MANIFEST), manifest).unwrap();
        std::fs::write(target.join(OLD_FACTS), "old facts").unwrap();
        std::fs::write(dir.path().join(".public.lock"), "").unwrap();
        assert_eq!(check_target(dir.path(), &target), Ok(()));

        let staging = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        assert_eq!(staging.take_previous_facts(), b"old facts");
        assert!(staging.keep("a/index.html", 7), "the old manifest is read");
        staging
            .commit(
                &Manifest::from([("a/index.html".into(), 7)]),
                text(""),
                text(""),
            )
            .unwrap();
        assert_eq!(names(dir.path()), [".public.handbook", "public"]);
        assert_eq!(names(&target), ["a"]);
        assert_eq!(check_target(dir.path(), &target), Ok(()));
    }

    #[test]
    fn an_exchange_left_half_done_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        first.write("a.txt", b"a").unwrap();
        first.commit(&Manifest::new(), text(""), text("")).unwrap();
        // Killed between the first and the second of the three renames.
        let aside = home_dir(&target).join(format!("{STAGING}{SWAP}"));
        std::fs::rename(&target, &aside).unwrap();
        assert_eq!(check_target(dir.path(), &target), Ok(()));
        let second = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        assert_eq!(std::fs::read(target.join("a.txt")).unwrap(), b"a");
        drop(second);
        assert!(!aside.exists());
    }

    #[test]
    fn only_output_folders_handbook_made_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let target = root.join("public");
        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        first.write("a.txt", b"a").unwrap();
        first.commit(&Manifest::new(), text(""), text("")).unwrap();
        assert_eq!(check_target(root, &target), Ok(()));
        // The same name, another folder: not handbook's.
        std::fs::remove_dir_all(&target).unwrap();
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("mine.txt"), "mine").unwrap();
        let err = check_target(root, &target).unwrap_err();
        assert!(err.contains("files that handbook did not write"), "{err}");
        std::fs::remove_dir_all(&target).unwrap();
        // A home with someone else's file in it.
        std::fs::write(home_dir(&target).join("notes.txt"), "mine").unwrap();
        let err = check_target(root, &target).unwrap_err();
        assert!(err.contains(".public.handbook beside it"), "{err}");
    }

    #[test]
    fn one_build_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let first = Staging::new(&target, &BTreeSet::new(), &[]).unwrap();
        let err = Staging::new(&target, &BTreeSet::new(), &[]).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(
            first.dir.is_dir(),
            "the second build leaves the first's staging folder"
        );
        drop(first);
        assert!(Staging::new(&target, &BTreeSet::new(), &[]).is_ok());
    }
}
