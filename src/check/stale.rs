//! `handbook stale`: the pages not changed for longer than their review interval
//! (`freshness.review_every` of `handbook.yml`, or the page's own `review_every:`; never an
//! `evergreen: true` page), grouped by owner (`CODEOWNERS`), as text for a terminal, Markdown
//! for a merge request comment, or JSON for a program.

use crate::extras::Extras;
use crate::git::history::iso_date;
use crate::site::{PageId, Site};
use crate::templates::age_text;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The report.
#[derive(Debug, Serialize)]
pub struct Stale {
    /// The day the ages are counted to: `2026-12-05`.
    pub checked_on: String,
    /// Pages due for review, oldest change first.
    pub stale: Vec<StalePage>,
    /// Pages git cannot date (never committed, or older than a shallow clone's history):
    /// they may be stale too.
    pub undated: Vec<StalePage>,
    /// How many pages were looked at (evergreen ones included).
    pub pages: usize,
    /// The `CODEOWNERS` file the owners come from, if there is one.
    pub codeowners: Option<String>,
}

/// A page of the report.
#[derive(Debug, Serialize)]
pub struct StalePage {
    /// `content/engineering/triage.md`.
    pub path: String,
    pub title: String,
    /// Its address on the site (with `base_url`).
    pub url: String,
    /// Its latest change: `2025-01-02`, and who made it.
    pub last_changed: Option<String>,
    pub author: Option<String>,
    pub age_days: Option<i64>,
    /// Its review interval in days, and as written.
    pub review_every_days: u32,
    pub review_every: String,
    pub owners: Vec<String>,
}

/// The report of `site` on day `on` (a day number).
pub fn report(site: &Site, extras: &Extras, on: i64) -> Stale {
    let mut stale = Vec::new();
    let mut undated = Vec::new();
    let mut pages = 0;
    for (id, page) in site.pages.iter_enumerated() {
        if page.generated || page.redirect.is_some() {
            continue;
        }
        pages += 1;
        let age = extras.age(site, id, on);
        let Some(every) = age.every else { continue };
        let entry = StalePage {
            path: page.source.display_path(),
            title: page.title.clone(),
            url: format!("{}{}", site.config.base_url, page.url),
            last_changed: age.updated.map(|u| u.date.clone()),
            author: age.updated.map(|u| u.author.clone()),
            age_days: age.days,
            review_every_days: every.days,
            review_every: every.text.clone(),
            owners: owners(site, extras, id),
        };
        match (age.stale, age.updated) {
            (true, _) => stale.push(entry),
            (false, None) => undated.push(entry),
            (false, Some(_)) => {}
        }
    }
    stale.sort_by(|a, b| {
        a.last_changed
            .cmp(&b.last_changed)
            .then(a.path.cmp(&b.path))
    });
    undated.sort_by(|a, b| a.path.cmp(&b.path));
    Stale {
        checked_on: iso_date(on),
        stale,
        undated,
        pages,
        codeowners: extras.git.owners.as_ref().map(|o| o.file.clone()),
    }
}

fn owners(site: &Site, extras: &Extras, id: PageId) -> Vec<String> {
    extras
        .owners(site, id)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// What the report calls the pages nobody owns.
fn no_owner(report: &Stale) -> String {
    match &report.codeowners {
        Some(file) => format!("No owner in {file}"),
        None => "No CODEOWNERS file".to_string(),
    }
}

impl Stale {
    /// The stale pages by owner, each owner's pages in report order; a page with several
    /// owners is under each of them, a page without any under [`no_owner`], last.
    pub fn by_owner(&self) -> Vec<(String, Vec<&StalePage>)> {
        let mut groups: BTreeMap<&str, Vec<&StalePage>> = BTreeMap::new();
        let mut unowned = Vec::new();
        for page in &self.stale {
            if page.owners.is_empty() {
                unowned.push(page);
            }
            for owner in &page.owners {
                groups.entry(owner).or_default().push(page);
            }
        }
        let mut out: Vec<(String, Vec<&StalePage>)> = groups
            .into_iter()
            .map(|(owner, pages)| (owner.to_string(), pages))
            .collect();
        if !unowned.is_empty() {
            out.push((no_owner(self), unowned));
        }
        out
    }

    /// For a terminal.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let n = self.stale.len();
        let _ = writeln!(
            out,
            "{n} of {} page{} due for review on {} (not changed for longer than their review interval)",
            self.pages,
            if self.pages == 1 { "" } else { "s" },
            self.checked_on
        );
        for (owner, pages) in self.by_owner() {
            let _ = writeln!(out, "\n{owner} ({})", count(pages.len()));
            for page in pages {
                let _ = writeln!(out, "  {}", page.path);
                let _ = writeln!(out, "      {}", describe(page));
            }
        }
        if !self.undated.is_empty() {
            let _ = writeln!(
                out,
                "\n{} that git cannot date (not committed yet, or older than this clone's history):",
                count(self.undated.len())
            );
            for page in &self.undated {
                let _ = writeln!(out, "  {}", page.path);
            }
        }
        out
    }

    /// For a merge request comment: a table per owner.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### {} of {} pages due for review\n\nNot changed for longer than their review interval, on {}.",
            self.stale.len(),
            self.pages,
            self.checked_on
        );
        for (owner, pages) in self.by_owner() {
            let _ = writeln!(out, "\n#### {} ({})\n", cell(&owner), count(pages.len()));
            let _ = writeln!(out, "| Page | Last changed | Review every |\n|---|---|---|");
            for page in pages {
                let _ = writeln!(
                    out,
                    "| [{}]({}) `{}` | {} | {} |",
                    cell(&page.title),
                    page.url,
                    cell(&page.path),
                    cell(&last_changed(page)),
                    page.review_every
                );
            }
        }
        if !self.undated.is_empty() {
            let _ = writeln!(
                out,
                "\n{} cannot be dated from git: {}.",
                count(self.undated.len()),
                self.undated
                    .iter()
                    .map(|p| format!("`{}`", cell(&p.path)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out
    }
}

fn count(n: usize) -> String {
    format!("{n} page{}", if n == 1 { "" } else { "s" })
}

/// `last changed 2025-01-02 by Ann Lee, 23 months ago; reviewed every 1 year`.
fn describe(page: &StalePage) -> String {
    format!(
        "last changed {}; review every {}",
        last_changed(page),
        page.review_every
    )
}

/// `2025-01-02 by Ann Lee (23 months ago)`.
fn last_changed(page: &StalePage) -> String {
    let mut text = page.last_changed.clone().unwrap_or_default();
    if let Some(author) = page.author.as_deref().filter(|a| !a.is_empty()) {
        let _ = write!(text, " by {author}");
    }
    if let Some(days) = page.age_days {
        let _ = write!(text, " ({} ago)", age_text(days));
    }
    text
}

/// `text` safe in a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
