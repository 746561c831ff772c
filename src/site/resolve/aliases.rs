//! The other addresses of pages: `aliases` (old URLs that redirect), `redirect_to` (a page
//! that only redirects) and, with `html_aliases: true`, the old Jekyll `.html` addresses.
//! Each is checked against the URLs of the pages, which must all be known first.

use super::Pages;
use super::urls::{normalize_permalink, unsafe_url};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{PageId, Redirect};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An alias as written (`old/page`, `/old/page/`, `/old/page.html`) as a site URL.
fn alias_url(alias: &str) -> String {
    let trimmed = alias.trim();
    if trimmed.ends_with(".html") {
        format!("/{}", trimmed.trim_start_matches('/'))
    } else {
        normalize_permalink(trimmed)
    }
}

/// Every page's aliases, each checked: safe to write, and taken by nothing else. An alias that
/// is the page's own URL is left out with a warning; one that is the address of a folder
/// without a landing page of its own takes that address over.
pub(super) fn index_aliases(
    pages: &mut Pages,
    by_url: &HashMap<String, PageId>,
    diags: &mut Diagnostics,
) -> HashMap<String, PageId> {
    let mut index = Aliases::default();
    for id in pages.ids() {
        let source = &pages[id].source;
        let shown = source.display_path();
        let line = source
            .key_line("aliases")
            .or_else(|| source.key_line("redirect_from"))
            .unwrap_or(1);
        let error = |message: String| {
            Diagnostic::error(&shown, message)
                .at(line, 1)
                .help("an alias is an old address of this page on this site, like `/engineering/old-name/`")
        };
        for written in source.front.aliases.clone() {
            match index.add(pages, by_url, id, &written) {
                Ok(()) => {}
                Err(Refused::OwnUrl) => diags.push(own_url_warning(&shown, line, &written)),
                Err(Refused::Error(why)) => diags.push(error(why)),
            }
        }
    }
    index.by_alias
}

/// The aliases indexed so far.
#[derive(Default)]
struct Aliases {
    by_alias: HashMap<String, PageId>,
    /// Folder addresses taken over by an alias, with the alias's page.
    taken: HashMap<String, PageId>,
}

/// Why an alias is left out.
enum Refused {
    /// It is its page's own URL: a warning.
    OwnUrl,
    /// An error, saying why.
    Error(String),
}

impl Aliases {
    /// Files alias `written` of page `id`, unless it cannot be one.
    fn add(
        &mut self,
        pages: &mut Pages,
        by_url: &HashMap<String, PageId>,
        id: PageId,
        written: &str,
    ) -> Result<(), Refused> {
        let alias = checked_alias(written).map_err(Refused::Error)?;
        if alias == pages[id].url {
            return Err(Refused::OwnUrl);
        }
        if let Some(&other) = by_url.get(&alias)
            && !self.taken.contains_key(&alias)
        {
            if !take_over(pages, other, id) {
                return Err(Refused::Error(format!(
                    "alias `{written}` is the URL of {}: a redirect there would hide that page",
                    pages[other].source.display_path()
                )));
            }
            self.taken.insert(alias, id);
            return Ok(());
        }
        if let Some(&other) = self.by_alias.get(&alias).or_else(|| self.taken.get(&alias)) {
            let other = &pages[other];
            return Err(Refused::Error(
                if other.source.rel_path == pages[id].source.rel_path {
                    format!("alias `{written}` is listed twice")
                } else {
                    format!(
                        "alias `{written}` is also an alias of {}: one old URL can only lead to one page",
                        other.source.display_path()
                    )
                },
            ));
        }
        self.by_alias.insert(alias, id);
        Ok(())
    }
}

/// An alias that is its page's own URL (`redirect_from` lists often carry one): left out.
fn own_url_warning(shown: &str, line: usize, written: &str) -> Diagnostic {
    Diagnostic::warning(
        shown,
        format!("alias `{written}` is this page's own URL: it is left out"),
    )
    .at(line, 1)
    .help("remove it from the list: a page needs no redirect from its own address")
}

/// Gives the address of page `other` to page `id`'s alias, if `other` is a page handbook
/// generated for a folder (no text of its own): it then redirects to `id`.
fn take_over(pages: &mut Pages, other: PageId, id: PageId) -> bool {
    let page = &pages[other];
    if !page.generated || page.redirect.as_ref().is_some_and(|r| r.written) {
        return false;
    }
    pages[other].redirect = Some(Redirect {
        href: pages[id].href.clone(),
        page: Some(id),
        written: false,
    });
    true
}

/// An alias as a site URL, or why it cannot be one.
fn checked_alias(written: &str) -> Result<String, String> {
    if written.contains("://") || written.trim().starts_with("//") {
        return Err(format!("alias `{written}` is not a path of this site"));
    }
    let alias = alias_url(written);
    match unsafe_url(&alias) {
        Some(why) => Err(format!("alias `{written}` is not allowed: {why}")),
        None => Ok(alias),
    }
}

/// Reads every page's `redirect_to`: the page then only redirects there.
pub(super) fn redirect_targets(
    pages: &mut Pages,
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
    config: &Config,
    diags: &mut Diagnostics,
) {
    for id in pages.ids() {
        let Some(written) = pages[id].source.front.redirect_to.clone() else {
            continue;
        };
        let found = redirect_of(&written, pages, by_url, by_alias, config.base_path());
        let source = &pages[id].source;
        let problem = match found {
            Ok(redirect) if redirect.page == Some(id) => {
                format!(
                    "`redirect_to: {written}` is this page's own URL: it would redirect to itself"
                )
            }
            Ok(redirect) => {
                pages[id].redirect = Some(redirect);
                continue;
            }
            Err(why) => why,
        };
        diags.push(
            Diagnostic::error(source.display_path(), problem)
                .at(source.key_line("redirect_to").unwrap_or(1), 1)
                .help("write where the page moved: a path of this site, like `redirect_to: /engineering/releases/`, or an address starting with https://"),
        );
    }
}

/// Where `redirect_to: written` sends readers, or why it cannot.
fn redirect_of(
    written: &str,
    pages: &Pages,
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
    base_path: &str,
) -> Result<Redirect, String> {
    let target = written.trim();
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(Redirect {
            href: target.to_string(),
            page: None,
            written: true,
        });
    }
    if target.is_empty() || target.starts_with("//") || target.contains("://") {
        return Err(format!(
            "`redirect_to: {written}` is neither a path of this site nor an http(s) address"
        ));
    }
    if !target.starts_with('/') {
        return Err(format!(
            "`redirect_to: {written}` is not a path from the site's root (it must start with `/`)"
        ));
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (target, String::new()),
    };
    let page = by_url
        .get(&alias_url(path))
        .or_else(|| by_alias.get(&alias_url(path)))
        .copied();
    let href = match page {
        Some(p) => format!("{}{fragment}", pages[p].href),
        None => format!("{base_path}{target}"),
    };
    Ok(Redirect {
        href,
        page,
        written: true,
    })
}

/// With `html_aliases: true`, each page's address on a Jekyll site: `/company/values.html`
/// for `company/values.md`. Not for folders' `index.md` (Jekyll wrote them as
/// `company/index.html`, which the page's folder has anyway), pages with a `permalink`
/// (Jekyll used it as it is), pages that only redirect, and addresses an alias or a page
/// already has.
pub(super) fn html_aliases(
    pages: &Pages,
    by_url: &HashMap<String, PageId>,
    by_alias: &HashMap<String, PageId>,
) -> BTreeMap<String, PageId> {
    let urls: BTreeSet<&str> = by_url.keys().map(String::as_str).collect();
    let mut found = BTreeMap::new();
    for (id, page) in pages.iter_enumerated() {
        let source = &page.source;
        if page.generated
            || !page.is_shown()
            || source.is_index()
            || source.front.permalink.is_some()
            || page.is_home()
            || page.url.ends_with(".html/")
        {
            continue;
        }
        let html = format!("{}.html", page.url.trim_end_matches('/'));
        // A page at `/x.html/` (or below) is written into the folder `x.html/`.
        let folder = format!("{html}/");
        let under = urls.range(folder.as_str()..).next();
        if by_alias.contains_key(&html) || under.is_some_and(|u| u.starts_with(&folder)) {
            continue;
        }
        found.insert(html, id);
    }
    found
}
