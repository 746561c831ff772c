//! The problems a build finds: where they are, what is wrong, and how to fix it.
//!
//! Every stage pushes into one [`Diagnostics`] list instead of stopping at the first problem,
//! so a contributor sees all of them at once, sorted by file and line. No printing here: the
//! binary's reporter decides how to show them.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with the file (relative to the site root, `/`-separated) and 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub path: String,
    /// 1-based line and column; `None` when the problem is about the whole file.
    pub position: Option<(usize, usize)>,
    pub message: String,
    /// How to fix it, in a contributor's words.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            position: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.position = Some((line.max(1), col.max(1)));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (&str, (usize, usize), Severity, &str) {
        (
            &self.path,
            self.position.unwrap_or((0, 0)),
            self.severity,
            &self.message,
        )
    }
}

/// `path:line:col: message` (errors) or `path:line:col: warning: message`, then an indented
/// `help:` line, the way compilers print so that editors can jump to the place.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.path)?;
        if let Some((line, col)) = self.position {
            write!(f, "{line}:{col}:")?;
        }
        if self.severity == Severity::Warning {
            write!(f, " warning:")?;
        }
        write!(f, " {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// The collected problems of one build.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All problems, sorted by file, then position, errors before warnings.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A failed build: every problem found, sorted. Warnings found along the way are included.
#[derive(Debug)]
pub struct BuildError {
    pub diagnostics: Vec<Diagnostic>,
}

impl BuildError {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let errors = self.errors().count();
        write!(
            f,
            "build failed: {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for BuildError {}

/// The nearest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(distance, c)| *distance <= 2.max(c.len() / 4) && *distance < c.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// 1-based line and column (in characters) of the position just after `prefix`.
pub fn position_after(prefix: &[u8]) -> (usize, usize) {
    let line = memchr::memchr_iter(b'\n', prefix).count() + 1;
    let line_start = memchr::memrchr(b'\n', prefix).map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&prefix[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The text of a YAML error without serde_yaml's trailing " at line X column Y".
pub fn yaml_message(err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_a_compiler() {
        let d = Diagnostic::error("content/a.md", "weight must be a whole number")
            .at(4, 9)
            .help("write `weight: 10`");
        assert_eq!(
            d.to_string(),
            "content/a.md:4:9: weight must be a whole number\n  help: write `weight: 10`"
        );
        let w = Diagnostic::warning("content/a.md", "unknown key").at(2, 1);
        assert_eq!(w.to_string(), "content/a.md:2:1: warning: unknown key");
    }

    #[test]
    fn suggests_near_keys_only() {
        let keys = ["title", "weight", "permalink", "sidebarDepth"];
        assert_eq!(suggest("wieght", keys), Some("weight"));
        assert_eq!(suggest("sidebardepth", keys), Some("sidebarDepth"));
        assert_eq!(suggest("Title", keys), Some("title"));
        assert_eq!(suggest("author", keys), None);
    }

    #[test]
    fn sorts_by_file_then_position() {
        let mut all = Diagnostics::default();
        all.push(Diagnostic::error("b.md", "x").at(1, 1));
        all.push(Diagnostic::error("a.md", "y").at(9, 1));
        all.push(Diagnostic::error("a.md", "z").at(2, 5));
        let order: Vec<_> = all.into_sorted().into_iter().map(|d| d.message).collect();
        assert_eq!(order, ["z", "y", "x"]);
    }
}
