//! Stage 5: pages and the files handbook generates, rendered from the read-only site and its
//! extras. [`Renderer::render_page`] is the one way a page becomes HTML, for `handbook build`,
//! `check` and `serve`; [`pages`] is the build's parallel pass over every page, [`generated`]
//! the other files (404, search page, sitemap, redirects, changes page).

pub mod assets;
pub mod generated;
pub mod pages;
pub mod recent;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::extras::Extras;
use crate::layout::TEMPLATES_DIR;
use crate::markdown::{self, Analysis, MarkdownOptions, RenderedMarkdown, Shortcodes};
use crate::site::links::LinkTable;
use crate::site::{Page, PageId, PerPage, SidebarScope, Site};
use crate::templates::assets::Fingerprints;
use crate::templates::shortcodes::{Expander, PageFacts};
use crate::templates::{self, Assets, PageContext, Templates};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use xxhash_rust::xxh3::Xxh3;

/// A generated file's bytes, or why it cannot be made.
pub type Made = Result<Vec<u8>, Diagnostic>;

/// The shared sidebar of each navigation group, by the group's node.
pub type Sidebars = HashMap<SidebarScope, String>;

/// Everything a page is rendered with.
#[derive(Clone, Copy)]
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub extras: &'a Extras,
    pub templates: &'a Templates,
    /// What links of the pages reach.
    pub table: &'a LinkTable<'a>,
    /// The fingerprinted names of stylesheets and scripts (none for `handbook serve`).
    pub fingerprints: &'a Fingerprints,
}

impl Renderer<'_> {
    /// Page `id`'s Markdown as HTML, with links rewritten to where they lead, and its analysis.
    pub fn markdown(&self, id: PageId) -> (RenderedMarkdown, Analysis) {
        let page = &self.site.pages[id];
        let rewrite = |dest: &str| self.table.rewrite(page, dest);
        let options = markdown_options(self.site, self.extras, id);
        render_markdown(self.site, self.templates, id, options, &rewrite)
    }

    /// Page `id`'s analysis alone: its Markdown rendered without highlighting the code,
    /// which an analysis does not depend on.
    pub fn analysis(&self, id: PageId) -> Analysis {
        let page = &self.site.pages[id];
        let rewrite = |dest: &str| self.table.rewrite(page, dest);
        let options = analysis_options(self.site, self.extras, id);
        render_markdown(self.site, self.templates, id, options, &rewrite).1
    }

    /// The full HTML of page `id` and its analysis. `sidebar` is the shared sidebar of the
    /// page's group ([`Site::sidebar_scope`]); the page's own link in it is marked here.
    pub fn render_page(&self, sidebar: &str, id: PageId) -> (Result<String, Diagnostic>, Analysis) {
        let (site, page) = (self.site, &self.site.pages[id]);
        if page.redirect.is_some() {
            let html = generated::redirect_page(site, id);
            return (
                Ok(self.fingerprints.rewrite_html(html)),
                Analysis::default(),
            );
        }
        let sidebar = templates::mark_current(sidebar, &page.href);
        let (rendered, analysis) = self.markdown(id);
        let mut context = self.context(id);
        context.page.content = &rendered.html;
        context.page.toc = &rendered.toc;
        context.page.diagrams = rendered.diagrams;
        context.sidebar = &sidebar;
        let html = render_template(self.templates, page, &context)
            .map(|html| self.fingerprints.rewrite_html(html));
        (html, analysis)
    }

    /// Page `id`'s template context, without its content, table of contents and sidebar.
    pub fn context(&self, id: PageId) -> PageContext<'_> {
        let mut context = templates::page_context(self.site, self.extras, id, "", &[], "");
        context.assets = Assets::fingerprinted(self.fingerprints);
        context.data = self
            .templates
            .pages_use_data
            .then_some(&self.site.data.value);
        context
    }

    /// What a page outside the site's pages (404, search, changes) is rendered with.
    fn outside<'s>(&'s self, root_sidebar: &'s str) -> templates::NotFoundContext<'s> {
        templates::NotFoundContext::new(self.site, self.extras, root_sidebar, self.fingerprints)
    }
}

/// Page `id`'s Markdown rendered with `options`, its shortcode calls with the site's
/// shortcode templates and data.
fn render_markdown(
    site: &Site,
    templates: &Templates,
    id: PageId,
    options: MarkdownOptions<'_>,
    rewrite: &dyn Fn(&str) -> Option<String>,
) -> (RenderedMarkdown, Analysis) {
    let page = &site.pages[id];
    let facts = PageFacts {
        title: &page.title,
        url: &page.href,
    };
    let expander = Expander::new(templates, &site.data, facts);
    let options = MarkdownOptions {
        shortcodes: Shortcodes(Some(&expander)),
        ..options
    };
    let (mut rendered, mut analysis) = markdown::render(&page.source.body, options, rewrite);
    add_anchor_aliases(page, &mut rendered, &mut analysis);
    (rendered, analysis)
}

/// The old ids of `anchor_aliases:` in `page`'s front matter, each an empty element just before
/// the heading it now names, and anchors for links. One whose heading is not there is left
/// out, so that links to it are reported as broken.
fn add_anchor_aliases(page: &Page, rendered: &mut RenderedMarkdown, analysis: &mut Analysis) {
    for (old, new) in &page.source.front.anchor_aliases {
        if analysis.anchors.contains(old) {
            continue;
        }
        let mut escaped = String::new();
        markdown::highlight::escape_into(&mut escaped, new);
        let heading = [1, 2, 3, 4, 5, 6]
            .iter()
            .find_map(|level| rendered.html.find(&format!("<h{level} id=\"{escaped}\"")));
        let Some(at) = heading else { continue };
        let mut old_escaped = String::new();
        markdown::highlight::escape_into(&mut old_escaped, old);
        rendered.html.insert_str(
            at,
            &format!("<span class=\"anchor-alias\" id=\"{old_escaped}\"></span>"),
        );
        analysis.anchors.push(old.clone());
    }
}

/// How page `id`'s Markdown is rendered: its table of contents, its title, and on a preview
/// the sections the merge request changed.
pub fn markdown_options<'a>(site: &'a Site, extras: &'a Extras, id: PageId) -> MarkdownOptions<'a> {
    let page = &site.pages[id];
    MarkdownOptions {
        toc_max_level: page.toc_max_level,
        title: &page.title,
        marked: extras
            .change_of(id)
            .map_or(&[], |mark| mark.sections.as_slice()),
        search_code: site.config.search.code,
        // The themes were checked when `handbook.yml` was read.
        palette: crate::markdown::highlight::palette(
            &site.config.highlight.light_theme,
            &site.config.highlight.dark_theme,
        )
        .ok(),
        shortcodes: Default::default(),
    }
}

/// How page `id`'s Markdown is rendered for its analysis alone: as [`markdown_options`] says,
/// without highlighting the code, which an analysis does not depend on.
fn analysis_options<'a>(site: &'a Site, extras: &'a Extras, id: PageId) -> MarkdownOptions<'a> {
    MarkdownOptions {
        palette: None,
        ..markdown_options(site, extras, id)
    }
}

/// The analysis (links, anchors) of every page's Markdown, without rendering the pages (nor
/// highlighting their code).
pub fn analyses(site: &Site, extras: &Extras, templates: &Templates) -> PerPage<Analysis> {
    site.pages
        .par_ids()
        .map(|id| {
            let options = analysis_options(site, extras, id);
            render_markdown(site, templates, id, options, &|_| None).1
        })
        .collect()
}

/// What the analysis of a page depends on: its Markdown, its title (a leading `#` heading that
/// repeats it is dropped), and `global` (the program, and the settings that change analyses).
pub fn analysis_key(global: u128, page: &Page) -> u64 {
    let mut hasher = Xxh3::new();
    hasher.update(&global.to_le_bytes());
    hasher.update(page.source.body.as_bytes());
    hasher.update(&[0]);
    hasher.update(page.title.as_bytes());
    for (old, new) in &page.source.front.anchor_aliases {
        hasher.update(&[0]);
        hasher.update(old.as_bytes());
        hasher.update(&[0]);
        hasher.update(new.as_bytes());
    }
    hasher.digest()
}

/// The shared sidebar of one navigation group, or why it cannot be rendered.
pub fn sidebar(
    site: &Site,
    extras: &Extras,
    templates: &Templates,
    scope: &SidebarScope,
) -> Result<String, Diagnostic> {
    templates::render_sidebar(site, extras, templates, scope)
        .map_err(|cause| template_failure("partials/sidebar.html", cause))
}

/// One sidebar per navigation group, rendered in parallel; one the previous build rendered
/// from the same context and templates (`previous`, [`read_sidebars`]) is taken as it is. With
/// each sidebar, the digest it is known by.
pub fn sidebars(
    site: &Site,
    extras: &Extras,
    templates: &Templates,
    previous: &SavedSidebars,
    diags: &mut Diagnostics,
) -> (Sidebars, HashMap<SidebarScope, u128>) {
    let scopes: BTreeSet<SidebarScope> = site
        .pages
        .ids()
        .map(|p| site.sidebar_scope(p))
        .chain([SidebarScope::of(site.root)])
        .collect();
    let mut salt = Xxh3::new();
    salt.update(&pages::program_fingerprint().to_le_bytes());
    salt.update(&templates.fingerprint.to_le_bytes());
    let salt = salt.digest128();
    let rendered: Vec<(SidebarScope, u128, Result<String, Diagnostic>)> = scopes
        .into_par_iter()
        .map(|scope| {
            let context = templates::sidebar_context(site, extras, &scope);
            let digest = context.digest(salt);
            let html = match previous.get(&digest) {
                Some(html) => Ok(html.clone()),
                None => templates
                    .render("partials/sidebar.html", &context)
                    .map_err(|cause| template_failure("partials/sidebar.html", cause)),
            };
            (scope, digest, html)
        })
        .collect();
    let mut sidebars = HashMap::with_capacity(rendered.len());
    let mut digests = HashMap::with_capacity(rendered.len());
    for (scope, digest, result) in rendered {
        match result {
            Ok(html) => {
                digests.insert(scope.clone(), digest);
                sidebars.insert(scope, html);
            }
            Err(d) => diags.push(d),
        }
    }
    (sidebars, digests)
}

/// The sidebars a build saved for the next, by digest.
pub type SavedSidebars = HashMap<u128, String>;

const SIDEBARS_HEADER: &[u8] = b"handbook sidebars 1\n";

/// `sidebars` by their `digests`, for the next build: a header, then for each its digest (16
/// bytes), the length of its HTML (4 bytes) and the HTML.
pub fn save_sidebars(sidebars: &Sidebars, digests: &HashMap<SidebarScope, u128>) -> Vec<u8> {
    let mut out = SIDEBARS_HEADER.to_vec();
    let mut seen = std::collections::HashSet::new();
    for (scope, html) in sidebars {
        let Some(&digest) = digests.get(scope) else {
            continue;
        };
        let Ok(len) = u32::try_from(html.len()) else {
            continue;
        };
        if seen.insert(digest) {
            out.extend_from_slice(&digest.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(html.as_bytes());
        }
    }
    out
}

/// What [`save_sidebars`] saved; empty if it is not that (none, damaged, another version).
/// A record cut short ends it.
pub fn read_sidebars(bytes: &[u8]) -> SavedSidebars {
    let mut saved = SavedSidebars::new();
    let Some(mut rest) = bytes.strip_prefix(SIDEBARS_HEADER) else {
        return saved;
    };
    while rest.len() >= 20 {
        let (digest, tail) = rest.split_at(16);
        let (len, tail) = tail.split_at(4);
        let digest = u128::from_le_bytes(digest.try_into().unwrap_or_default());
        let len = u32::from_le_bytes(len.try_into().unwrap_or_default()) as usize;
        let Some((html, tail)) = tail.split_at_checked(len) else {
            break;
        };
        let Ok(html) = std::str::from_utf8(html) else {
            break;
        };
        saved.insert(digest, html.to_string());
        rest = tail;
    }
    saved
}

/// A template that failed, as a problem of its file.
pub fn template_failure(template: &str, cause: String) -> Diagnostic {
    Diagnostic::error(format!("{TEMPLATES_DIR}/{template}"), cause)
}

/// The page's layout template, filled with `context`.
fn render_template(
    templates: &Templates,
    page: &Page,
    context: &PageContext<'_>,
) -> Result<String, Diagnostic> {
    let template =
        crate::site::resolve::layout_template(&page.layout, &page.url, &templates.layouts);
    templates.render(&template, context).map_err(|cause| {
        Diagnostic::error(
            page.source.display_path(),
            format!("cannot render this page with templates/{template}: {cause}"),
        )
        .help("the problem is in the template, not in the page; template variables are listed in docs/templates.md")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_sidebars_read_back_and_damage_loses_only_what_it_reached() {
        use crate::site::ids::Id;
        let node = crate::site::NodeId::from_index;
        let (a, b) = (SidebarScope::of(node(1)), SidebarScope::of(node(2)));
        let sidebars = Sidebars::from([
            (a.clone(), "<nav>a</nav>".to_string()),
            (b.clone(), "<nav>é</nav>".to_string()),
        ]);
        let digests = HashMap::from([(a, 7u128), (b, 9u128)]);
        let saved = save_sidebars(&sidebars, &digests);
        let read = read_sidebars(&saved);
        assert_eq!(
            read,
            SavedSidebars::from([
                (7, "<nav>a</nav>".to_string()),
                (9, "<nav>é</nav>".to_string())
            ])
        );
        // Cut anywhere: whatever is read is whole, never a part of a sidebar.
        for end in 0..saved.len() {
            for (digest, html) in read_sidebars(&saved[..end]) {
                assert_eq!(read.get(&digest), Some(&html), "cut at {end}");
            }
        }
        assert!(read_sidebars(b"handbook sidebars 0\n").is_empty());
        let mut bad = saved.clone();
        let last = bad.len() - 2;
        bad[last] = 0xff;
        assert!(
            read_sidebars(&bad).len() < 2,
            "a sidebar that is not UTF-8 is not taken"
        );
    }
}
