//! Turns loaded pages into the [`Site`]: URLs (with every collision reported), the landing
//! page of each folder, redirects (`aliases`, `redirect_to`, old `.html` addresses), the
//! section tree, subcategory groups, weight order and navigation order.
//!
//! Order everywhere: `weight` ascending, pages without a weight after weighted ones, then the
//! source path (the order Jekyll listed them in).

mod aliases;
mod in_place;
mod layouts;
mod named;
mod navigation;
mod pages;
mod urls;

pub use in_place::{add_page, renavigate};
pub use layouts::{JEKYLL_LAYOUTS, check_layouts, layout_template};
pub use pages::new_page;
pub use urls::{normalize_permalink, unsafe_url};

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::site::{IdVec, Page, PageId, Site};
use crate::source::Content;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Builds the site. `layouts` are the template names pages may ask for (unchecked if `None`).
pub fn resolve(
    config: Config,
    content: Content,
    layouts: Option<&BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Site {
    let Content {
        pages: sources,
        assets,
        data,
    } = content;
    let folders = pages::folders_of(&sources);
    let (mut pages, landing) = pages::place_pages(sources, &folders, &config, diags);
    if let Some(layouts) = layouts {
        check_layouts(&pages, layouts, diags);
    }
    let by_url = urls::index_urls(&pages, diags);
    let by_alias = aliases::index_aliases(&mut pages, &by_url, diags);
    aliases::redirect_targets(&mut pages, &by_url, &by_alias, &config, diags);
    let html_aliases = match config.html_aliases {
        true => aliases::html_aliases(&pages, &by_url, &by_alias),
        false => BTreeMap::new(),
    };

    let navigation = navigation::build(&mut pages, &landing);
    Site {
        config: Arc::new(config),
        pages: pages.into_iter().map(Arc::new).collect(),
        nodes: Arc::new(navigation.nodes),
        root: navigation.root,
        order: Arc::new(navigation.order),
        position: Arc::new(navigation.position),
        by_url: Arc::new(by_url),
        by_alias: Arc::new(by_alias),
        html_aliases: Arc::new(html_aliases),
        assets: Arc::new(assets),
        data: Arc::new(data),
    }
}

/// The pages while they are resolved.
type Pages = IdVec<PageId, Page>;
