//! What the "Recent changes" page (`recent-changes.html`) and its Atom feed show of each change:
//! the git facts of [`crate::git::changes`], with each file's page of the site.

use crate::extras::Extras;
use crate::git::changes::Change;
use crate::layout::{CONTENT_DIR, RECENT_CHANGES_FEED, RECENT_CHANGES_PATH};
use crate::site::Site;
use serde::Serialize;
use std::collections::HashMap;

/// Where the page and its feed are, for every template (`site.recent_changes`).
#[derive(Debug, Clone, Serialize)]
pub struct RecentLinks {
    /// `/recent-changes/`, with the path of `base_url` in front.
    pub page: String,
    /// `/recent-changes/atom.xml`.
    pub feed: String,
}

impl RecentLinks {
    /// `None` when the site has no recent changes to show (outside git, nothing committed).
    pub fn of(site: &Site, extras: &Extras) -> Option<RecentLinks> {
        extras.has_recent_changes().then(|| {
            let base = site.config.base_path();
            RecentLinks {
                page: format!("{base}/{RECENT_CHANGES_PATH}"),
                feed: format!("{base}/{RECENT_CHANGES_FEED}"),
            }
        })
    }
}

/// One change, as the page and the feed show it.
#[derive(Debug, Serialize)]
pub struct ChangeView<'a> {
    /// The commit's full id, and its first 7 characters.
    pub commit: &'a str,
    pub short: &'a str,
    /// The id of its entry on the page: `change-1a2b3c4`.
    pub anchor: String,
    pub title: &'a str,
    /// RFC 3339 (`2026-11-20T09:00:00+01:00`), for `<time datetime>` and the feed.
    pub date: &'a str,
    /// `20 November 2026`.
    pub date_text: String,
    pub author: &'a str,
    pub merge: bool,
    /// `#12` (GitHub) or `!12` (GitLab), when the message names the merge request.
    pub request: Option<String>,
    /// The merge request's page on the forge, else the commit's; `None` without
    /// `repository.url`.
    pub url: Option<String>,
    pub commit_url: Option<String>,
    pub pages: Vec<FileView<'a>>,
    /// How many more pages it touched than `pages` lists.
    pub more: usize,
}

/// A page a change touched.
#[derive(Debug, Serialize)]
pub struct FileView<'a> {
    /// `added`, `changed`, `renamed` or `removed`.
    pub kind: &'static str,
    /// The page's title now; its file (`content/…`) when the site has no such page any more.
    pub title: String,
    /// The page's URL, when the site still has it.
    pub url: Option<&'a str>,
    /// `content/engineering/triage.md`.
    pub path: String,
    /// A renamed page's old file.
    pub from: Option<String>,
}

/// Every recent change of `extras`, newest first.
pub fn views<'a>(site: &'a Site, extras: &'a Extras) -> Vec<ChangeView<'a>> {
    let Some(changes) = &extras.git.changes else {
        return Vec::new();
    };
    let by_path = site.pages_by_file();
    let repository = &site.config.repository;
    // Where each file is now, after the renames of newer changes (`old` → `new`).
    let mut moved: HashMap<&str, &str> = HashMap::new();
    let mut views = Vec::with_capacity(changes.entries.len());
    for change in &changes.entries {
        let Change {
            commit,
            date,
            author,
            title,
            request,
            merge,
            files,
            more,
        } = change;
        let short = &commit[..commit.len().min(7)];
        let sign = match repository.forge() {
            crate::config::Forge::Github => '#',
            crate::config::Forge::Gitlab => '!',
        };
        let now = |path: &'a str, moved: &HashMap<&'a str, &'a str>| {
            let mut path = path;
            // Bounded: a history may rename a file back and forth.
            for _ in 0..moved.len() {
                match moved.get(path) {
                    Some(next) if *next != path => path = next,
                    _ => break,
                }
            }
            path
        };
        let pages = files
            .iter()
            .map(|file| {
                let page = (file.kind != "removed")
                    .then(|| by_path.get(now(&file.path, &moved)))
                    .flatten()
                    .map(|&id| &site.pages[id]);
                FileView {
                    kind: file.kind,
                    title: page.map_or_else(
                        || format!("{CONTENT_DIR}/{}", file.path),
                        |p| p.title.clone(),
                    ),
                    url: page.map(|p| p.href.as_str()),
                    path: format!("{CONTENT_DIR}/{}", file.path),
                    from: file.from.as_ref().map(|f| format!("{CONTENT_DIR}/{f}")),
                }
            })
            .collect();
        for file in files {
            if let Some(from) = &file.from {
                let to = now(&file.path, &moved);
                moved.insert(from, to);
            }
        }
        let commit_url = repository.commit_url(commit);
        views.push(ChangeView {
            commit,
            short,
            anchor: format!("change-{short}"),
            title,
            date,
            date_text: crate::git::history::long_date(date.get(..10).unwrap_or(date))
                .unwrap_or_else(|| date.clone()),
            author,
            merge: *merge,
            request: request.map(|n| format!("{sign}{n}")),
            url: request
                .and_then(|n| repository.request_url(n))
                .or_else(|| commit_url.clone()),
            commit_url,
            pages,
            more: *more,
        });
    }
    views
}
