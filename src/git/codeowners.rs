//! `CODEOWNERS`: who owns which files of the repository, in GitHub's and GitLab's syntax. A
//! line is a pattern and its owners (`@user`, `@org/team`, an e-mail); the last line whose
//! pattern matches a file gives its owners. GitLab's sections (`[Docs]`, `^[Optional]`,
//! `[Docs][2]`, with default owners after the brackets) each give a file owners of their own,
//! and a file's owners are those of every section with a match.
//!
//! Patterns follow `.gitignore`: `*` does not cross a `/`, `**` does; a pattern with a `/` at
//! its start or in its middle is from the top of the repository, one without matches at any
//! depth; a pattern naming a folder (`docs/`, or `docs` when it is one) covers all below it;
//! `docs/*` covers the folder's own files only.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// The rules of a `CODEOWNERS` file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    sections: Vec<Section>,
}

#[derive(Debug, Default)]
struct Section {
    /// Empty for the lines before any section (GitHub has only that one).
    name: String,
    rules: Vec<Rule>,
    /// Every glob of every rule, matched at once: a file of CODEOWNERS can have thousands of
    /// lines, and a handbook thousands of pages. Built by [`Section::finish`].
    set: GlobSet,
    /// The rule of each glob of `set`.
    rule_of_glob: Vec<usize>,
}

#[derive(Debug)]
struct Rule {
    /// The pattern as written, and its line, for messages.
    pattern: String,
    line: usize,
    globs: Vec<Glob>,
    owners: Vec<String>,
}

impl Section {
    fn new(name: String) -> Section {
        Section {
            name,
            ..Section::default()
        }
    }

    /// Compiles the globs of all the rules into `set`; an error names the first that fails.
    fn finish(&mut self) -> Result<(), String> {
        let mut builder = GlobSetBuilder::new();
        self.rule_of_glob.clear();
        for (i, rule) in self.rules.iter().enumerate() {
            for glob in &rule.globs {
                builder.add(glob.clone());
                self.rule_of_glob.push(i);
            }
        }
        self.set = builder
            .build()
            .map_err(|err| format!("cannot read the patterns: {err}"))?;
        Ok(())
    }

    /// The last rule whose pattern matches `path`.
    fn last_match(&self, path: &str) -> Option<&Rule> {
        self.set
            .matches(path)
            .into_iter()
            .map(|glob| self.rule_of_glob[glob])
            .max()
            .map(|i| &self.rules[i])
    }
}

/// A line that could not be read: its line number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl CodeOwners {
    /// Reads a `CODEOWNERS` file's text; lines that cannot be read are problems, the others
    /// still count.
    pub fn parse(text: &str) -> (CodeOwners, Vec<Problem>) {
        let mut owners = CodeOwners {
            sections: vec![Section::default()],
        };
        let mut problems = Vec::new();
        let mut defaults: Vec<String> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((name, section_owners)) = section_header(line) {
                defaults = section_owners;
                owners.sections.push(Section::new(name));
                continue;
            }
            let (pattern, rest) = split_pattern(line);
            let mut listed: Vec<String> = rest
                .split_whitespace()
                .take_while(|w| !w.starts_with('#'))
                .map(str::to_string)
                .collect();
            if listed.is_empty() {
                listed = defaults.clone();
            }
            match globs(&pattern) {
                Ok(globs) => owners
                    .sections
                    .last_mut()
                    .expect("there is always a section")
                    .rules
                    .push(Rule {
                        pattern,
                        line: i + 1,
                        globs,
                        owners: listed,
                    }),
                Err(message) => problems.push(Problem {
                    line: i + 1,
                    message,
                }),
            }
        }
        owners.sections.retain(|s| !s.rules.is_empty());
        for section in &mut owners.sections {
            if let Err(message) = section.finish() {
                // Each glob compiled alone; together they should too. Never seen: say so.
                problems.push(Problem { line: 1, message });
                section.rules.clear();
            }
        }
        owners.sections.retain(|s| !s.rules.is_empty());
        (owners, problems)
    }

    /// The owners of the file at `path` (from the top of the repository, `/`-separated), in
    /// the order their sections come; empty when nothing matches or the matching line names
    /// no one (a line that takes a file away from its owners).
    pub fn owners_of(&self, path: &str) -> Vec<&str> {
        let path = path.trim_start_matches('/');
        let mut found: Vec<&str> = Vec::new();
        for section in &self.sections {
            for owner in section
                .last_match(path)
                .into_iter()
                .flat_map(|rule| &rule.owners)
            {
                if !found.contains(&owner.as_str()) {
                    found.push(owner);
                }
            }
        }
        found
    }

    /// The line of the rule that gives `path` its owners in its first section with a match,
    /// for messages: (line, pattern as written).
    pub fn rule_of(&self, path: &str) -> Option<(usize, &str)> {
        let path = path.trim_start_matches('/');
        self.sections.iter().find_map(|section| {
            section
                .last_match(path)
                .map(|rule| (rule.line, rule.pattern.as_str()))
        })
    }

    /// The section names, in order (GitLab); empty for a file without sections.
    pub fn section_names(&self) -> Vec<&str> {
        self.sections
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| !n.is_empty())
            .collect()
    }
}

/// `[Name]`, `^[Name]`, `[Name][2]`, each with default owners after it: the name and them.
fn section_header(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix('^').unwrap_or(line);
    let rest = rest.strip_prefix('[')?;
    let close = rest.find(']')?;
    let name = rest[..close].trim().to_string();
    let mut after = &rest[close + 1..];
    // An approvals count: `[2]`.
    if let Some(count) = after.strip_prefix('[')
        && let Some(end) = count.find(']')
        && count[..end].chars().all(|c| c.is_ascii_digit())
    {
        after = &count[end + 1..];
    }
    // A pattern like `[abc].md` is no section: what follows a section is owners or nothing.
    let owners: Vec<String> = after.split_whitespace().map(str::to_string).collect();
    owners
        .iter()
        .all(|o| o.starts_with('@') || o.contains('@'))
        .then_some((name, owners))
}

/// The pattern at the start of a line (a backslash escapes a space or a `#`), and the rest.
fn split_pattern(line: &str) -> (String, &str) {
    let mut pattern = String::new();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    pattern.push(next);
                }
            }
            c if c.is_whitespace() => return (pattern, &line[i..]),
            c => pattern.push(c),
        }
    }
    (pattern, "")
}

/// The globs a pattern stands for, as `.gitignore` reads it.
fn globs(pattern: &str) -> Result<Vec<Glob>, String> {
    let anchored = pattern.starts_with('/') || pattern.trim_end_matches('/').contains('/');
    let folder = pattern.ends_with('/');
    let body = pattern.trim_start_matches('/').trim_end_matches('/');
    if body.is_empty() {
        return Err(format!("`{pattern}` matches nothing"));
    }
    let base = match anchored {
        true => body.to_string(),
        false => format!("**/{body}"),
    };
    let last = body.rsplit('/').next().unwrap_or(body);
    let wild = last.contains(['*', '?', '[']);
    let mut globs = Vec::new();
    if !folder {
        globs.push(base.clone());
    }
    // A folder's files, at any depth below it: not for `docs/*`, whose files are its own.
    if folder || !wild || last.contains("**") {
        globs.push(format!("{base}/**"));
    }
    globs
        .into_iter()
        .map(|g| {
            GlobBuilder::new(&g)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|err| format!("cannot read the pattern `{pattern}`: {err}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(text: &str, path: &str) -> Vec<String> {
        let (rules, problems) = CodeOwners::parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        rules
            .owners_of(path)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_last_matching_line_wins_as_on_github() {
        let text = "* @all\n*.md @docs\n/pages/tools/ @tools @ops\npages/tools/secret.md\n";
        assert_eq!(owners(text, "README.md"), ["@docs"]);
        assert_eq!(owners(text, "src/main.rs"), ["@all"]);
        assert_eq!(owners(text, "pages/tools/slack.md"), ["@tools", "@ops"]);
        assert_eq!(owners(text, "pages/tools/deep/x.md"), ["@tools", "@ops"]);
        // A line without owners takes the file away from everyone.
        assert_eq!(owners(text, "pages/tools/secret.md"), Vec::<String>::new());
    }

    #[test]
    fn patterns_read_as_gitignore_reads_them() {
        let text = "docs/* @flat\napps/ @apps\n**/logs @logs\n/build/ @build\nnotes @notes\n";
        assert_eq!(owners(text, "docs/a.md"), ["@flat"]);
        assert_eq!(owners(text, "docs/sub/a.md"), Vec::<String>::new());
        assert_eq!(owners(text, "x/apps/y/z.md"), ["@apps"]);
        assert_eq!(owners(text, "a/b/logs/1.txt"), ["@logs"]);
        assert_eq!(owners(text, "build/out.txt"), ["@build"]);
        assert_eq!(owners(text, "x/build/out.txt"), Vec::<String>::new());
        // Without a slash, a name at any depth, a file or a folder.
        assert_eq!(owners(text, "a/notes"), ["@notes"]);
        assert_eq!(owners(text, "a/notes/b.md"), ["@notes"]);
        assert_eq!(
            owners("my\\ file.md @a\n\\#hash.md @b\n", "my file.md"),
            ["@a"]
        );
        assert_eq!(
            owners("my\\ file.md @a\n\\#hash.md @b\n", "#hash.md"),
            ["@b"]
        );
    }

    #[test]
    fn gitlab_sections_each_give_owners_and_defaults() {
        let text = "* @fallback\n\n[Docs] @docs-team\ndocs/\nREADME.md @writer\n\n^[Security][2] @sec\n*.md\n";
        let (rules, problems) = CodeOwners::parse(text);
        assert!(problems.is_empty());
        assert_eq!(rules.section_names(), ["Docs", "Security"]);
        assert_eq!(
            rules.owners_of("docs/a.md"),
            ["@fallback", "@docs-team", "@sec"]
        );
        assert_eq!(
            rules.owners_of("README.md"),
            ["@fallback", "@writer", "@sec"]
        );
        assert_eq!(rules.owners_of("src/a.rs"), ["@fallback"]);
        assert_eq!(rules.rule_of("README.md"), Some((1, "*")));
    }

    /// 18F's handbook, as its repository has it: pages under `pages/`, teams of 18F.
    #[test]
    fn the_18f_handbooks_codeowners() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/corpora/18f-handbook/CODEOWNERS"
        ))
        .unwrap();
        let (rules, problems) = CodeOwners::parse(&text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            rules.owners_of("pages/office-of-operations/talent.md"),
            ["@18F/team-talent"]
        );
        assert_eq!(
            rules.owners_of("pages/no-such/page.md"),
            ["@18F/handbook-owners"]
        );
        assert_eq!(rules.owners_of("CODEOWNERS"), ["@18F/handbook-owners"]);
    }
}
