//! Where rendered files go: into the staging folder of a build ([`Staging`]), or nowhere for
//! `handbook check`, which renders everything and writes nothing. Also the one way a failed
//! write is reported.

use super::Staging;
use crate::diagnostics::Diagnostic;
use std::io;
use std::path::Path;

/// The end of the pipeline: what the rendered files become. Only `write` is required: a sink
/// without a previous output (`handbook check`, the files `handbook serve` keeps in memory)
/// keeps nothing, has nothing to hand over, and writes changed or not.
pub trait Sink: Sync {
    /// Whether the output already holds `rel` rendered from inputs with this `fingerprint`:
    /// then it is kept as it is, and not rendered again.
    fn keep(&self, _rel: &str, _fingerprint: u128) -> bool {
        false
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()>;
    /// Writes `bytes`, or keeps the output's file if it holds the same bytes.
    fn write_if_changed(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.write(rel, bytes)
    }
    /// What the previous build learned about each page ([`super::facts`]), handed over once:
    /// the sink lets go of it.
    fn take_previous_facts(&self) -> Vec<u8> {
        Vec::new()
    }
    /// What the previous build saved of its search index ([`crate::search::Saved`]), handed
    /// over once.
    fn take_previous_search(&self) -> Vec<u8> {
        Vec::new()
    }
    /// What the previous build saved of its sidebars ([`crate::render::save_sidebars`]),
    /// handed over once.
    fn take_previous_sidebars(&self) -> Vec<u8> {
        Vec::new()
    }
    /// The output folder, as problems name it.
    fn target(&self) -> &Path {
        Path::new("")
    }
}

impl Sink for Staging {
    fn keep(&self, rel: &str, fingerprint: u128) -> bool {
        Staging::keep(self, rel, fingerprint)
    }
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        Staging::write(self, rel, bytes)
    }
    fn write_if_changed(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        Staging::write_if_changed(self, rel, bytes)
    }
    fn take_previous_facts(&self) -> Vec<u8> {
        Staging::take_previous_facts(self)
    }
    fn take_previous_search(&self) -> Vec<u8> {
        Staging::take_previous_search(self)
    }
    fn take_previous_sidebars(&self) -> Vec<u8> {
        Staging::take_previous_sidebars(self)
    }
    fn target(&self) -> &Path {
        Staging::target(self)
    }
}

/// `handbook check`: every file is rendered, none is kept or written.
pub struct Nowhere;

impl Sink for Nowhere {
    fn write(&self, _: &str, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
}

/// The files kept in memory, in the order written (`search::index_files`).
#[derive(Default)]
pub struct Memory {
    pub files: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl Sink for Memory {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?;
        files.push((rel.to_string(), bytes.to_vec()));
        Ok(())
    }
}

/// The problem of a failed write into the output folder `target`: `otherwise(err)`, unless the
/// disk has no room for the site. Then it says so, in the same words for every file, so that it
/// is shown once.
pub fn write_failure(
    target: &Path,
    err: io::Error,
    otherwise: impl FnOnce(io::Error) -> Diagnostic,
) -> Diagnostic {
    use io::ErrorKind;
    if !super::is_out_of_space(&err) {
        return otherwise(err);
    }
    let elsewhere = "or build into a folder on another disk with --output-dir";
    let (what, help) = match err.kind() {
        ErrorKind::FileTooLarge => (
            "a file of the site is larger than this system allows",
            format!("raise the limit on the size of files (`ulimit -f`), {elsewhere}"),
        ),
        ErrorKind::QuotaExceeded => (
            "your disk quota is used up",
            format!("free some space on that disk, {elsewhere}"),
        ),
        _ => (
            "the disk is full",
            format!("free some space on that disk, {elsewhere}"),
        ),
    };
    Diagnostic::error(
        target.display().to_string(),
        format!("{what} ({err}): the new site was not written, and the previous one is unchanged"),
    )
    .help(help)
}

/// A problem of the output folder as a whole.
pub fn output_failure(target: &Path, what: &str, err: io::Error) -> Diagnostic {
    Diagnostic::error(target.display().to_string(), format!("{what}: {err}"))
}
