//! Whether handbook may replace an output folder: not one holding the handbook itself, and
//! not one that handbook did not make.

use super::{
    APPLYING, FACTS, FILES, LOCK, MANIFEST, NEXT, OLD_MARKER, OUTPUTS, OUTPUTS_HEADER, PREVIOUS,
    SEARCH, SIDEBARS, STAGING, SWAP, home_dir, identity,
};
use std::path::{Path, PathBuf};

/// Why handbook must not replace `target`, if it must not: it would delete the handbook itself,
/// or a folder handbook did not make.
pub fn check_target(root: &Path, target: &Path) -> Result<(), String> {
    let root = absolute(root);
    let target_abs = absolute(target);
    if root.starts_with(&target_abs) {
        return Err(
            "this output folder contains the handbook itself; choose a folder inside it, like `public`"
                .into(),
        );
    }
    for protected in ["content", "templates", "static"] {
        if target_abs.starts_with(root.join(protected)) {
            return Err(format!(
                "this output folder is inside `{protected}/`; choose a folder outside it, like `public`"
            ));
        }
    }
    let home = home_dir(target);
    if target.is_file() {
        return Err(
            "this output folder is a file; remove it or choose another --output-dir".into(),
        );
    }
    if home.is_file() || (home.is_dir() && !holds_only_handbook_files(&home)) {
        return Err(format!(
            "the folder {} beside it, where handbook keeps its records of this output folder, already has files that handbook did not write; remove it or choose another --output-dir",
            home.display()
        ));
    }
    let empty = std::fs::read_dir(target).is_ok_and(|mut d| d.next().is_none());
    if target.is_dir() && !empty && !is_handbook_output(target) {
        return Err(format!(
            "this output folder already has files that handbook did not write (handbook knows its own by {} beside them); handbook replaces its output folder whole, so remove that folder or choose another --output-dir",
            home.display()
        ));
    }
    Ok(())
}

/// `path` made absolute, with symlinks resolved in the part of it that exists.
fn absolute(path: &Path) -> PathBuf {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = full.as_path();
    let mut missing = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return missing.iter().rev().fold(real, |acc, name| acc.join(name));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            _ => return full,
        }
    }
}

/// True when `target` is an output folder handbook made: its home lists its identity, or an
/// earlier handbook left its marker in it.
fn is_handbook_output(target: &Path) -> bool {
    if target.join(OLD_MARKER).is_file() {
        return true;
    }
    let (Ok(id), Ok(text)) = (
        identity(target),
        std::fs::read_to_string(home_dir(target).join(OUTPUTS)),
    ) else {
        return false;
    };
    let mut lines = text.lines();
    lines.next() == Some(OUTPUTS_HEADER) && lines.any(|line| line == id)
}

/// True when every entry of the home `dir` is one handbook makes there.
fn holds_only_handbook_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().all(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            [
                LOCK, OUTPUTS, MANIFEST, FACTS, SEARCH, FILES, SIDEBARS, APPLYING, PREVIOUS,
                STAGING,
            ]
            .contains(&name.as_ref())
                || name.ends_with(NEXT)
                || name.ends_with(SWAP)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_replace_the_handbook_or_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_target(root, root).is_err());
        assert!(check_target(root, &root.join("content/out")).is_err());
        assert!(check_target(root, &root.join("public")).is_ok());
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/keep.txt"), "x").unwrap();
        assert!(check_target(root, &root.join("docs")).is_err());
    }
}
