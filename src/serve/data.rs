//! The data files `handbook serve` holds: the last good version of each, so that a data file
//! saved with a mistake keeps its last good content in use while the problem is shown.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::layout::DATA_DIR;
use crate::source::data::{self, Data, DataFile};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each data file's last good version, by path relative to `data/`.
#[derive(Default)]
pub struct DataFiles {
    files: BTreeMap<String, (DataFile, Value)>,
}

/// Problems by file, as the workspace keeps them.
type Problems = BTreeMap<String, Vec<Diagnostic>>;

impl DataFiles {
    /// Reads every data file; problems go into `problems` by file.
    pub fn load(root: &Path, problems: &mut Problems) -> DataFiles {
        let mut listing = Diagnostics::default();
        let mut files = BTreeMap::new();
        for (rel, path) in crate::source::list_files(root, DATA_DIR, &mut listing) {
            match data::read(&rel, &path) {
                Some(Ok(file)) => {
                    files.insert(rel, file);
                }
                Some(Err(problem)) => listing.push(problem),
                None => {}
            }
        }
        for d in listing {
            problems.entry(d.path.clone()).or_default().push(d);
        }
        DataFiles { files }
    }

    /// Reads the files `rels` (relative to `data/`) again: a file gone is dropped, a file with
    /// a problem keeps its last good version. Returns whether the data changed.
    pub fn update(&mut self, root: &Path, rels: &BTreeSet<String>, problems: &mut Problems) -> bool {
        let mut changed = false;
        for rel in rels {
            let shown = format!("{DATA_DIR}/{rel}");
            problems.remove(&shown);
            let path = root.join(DATA_DIR).join(rel);
            if std::fs::symlink_metadata(&path).is_err() {
                changed |= self.files.remove(rel).is_some();
                continue;
            }
            match data::read(rel, &path) {
                Some(Ok(file)) => {
                    let same = self
                        .files
                        .get(rel)
                        .is_some_and(|(old, _)| old.digest == file.0.digest);
                    changed |= !same;
                    self.files.insert(rel.clone(), file);
                }
                Some(Err(problem)) => problems.entry(shown).or_default().push(problem),
                None => {}
            }
        }
        changed
    }

    /// The data templates see; two files on one key go into `problems`.
    pub fn assemble(&self, problems: &mut Problems) -> Data {
        let mut diags = Diagnostics::default();
        let data = data::assemble(self.files.values().cloned().collect(), &mut diags);
        for d in diags {
            problems.entry(d.path.clone()).or_default().push(d);
        }
        data
    }
}
