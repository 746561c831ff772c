//! The names of the folders and files that more than one stage knows: where the handbook's
//! inputs are, and the paths of the output that handbook itself makes.

/// The configuration, at the handbook's root.
pub const CONFIG_FILE: &str = "handbook.yml";
/// The pages, and the files beside them that are copied as they are.
pub const CONTENT_DIR: &str = "content";
/// The site's own templates, which replace the built-in theme's of the same name.
pub const TEMPLATES_DIR: &str = "templates";
/// The data files (YAML, JSON, TOML, CSV) that templates read as `data.<name>`.
pub const DATA_DIR: &str = "data";
/// Files copied to the output as they are.
pub const STATIC_DIR: &str = "static";
/// The search page, below the site's root.
pub const SEARCH_PAGE_URL: &str = "search/";
/// The search index's files, below the site's root.
pub const SEARCH_INDEX_DIR: &str = "_search/";
/// The changes page of a preview, below the site's root.
pub const CHANGES_PATH: &str = "_preview/";
/// The file of the changes page.
pub const CHANGES_PAGE: &str = "_preview/index.html";
/// The "Recent changes" page, below the site's root.
pub const RECENT_CHANGES_PATH: &str = "recent-changes/";
/// The file of the "Recent changes" page.
pub const RECENT_CHANGES_PAGE: &str = "recent-changes/index.html";
/// Its Atom feed.
pub const RECENT_CHANGES_FEED: &str = "recent-changes/atom.xml";
/// The file of the search page.
pub const SEARCH_PAGE: &str = "search/index.html";
