//! The search index: made at build time from the text of every page, split so that a query
//! loads only the little it needs. See the README's "Search" section for the format.

/// The search page, relative to the site root.
pub const PAGE_URL: &str = "search/";
/// The folder of the index files, relative to the site root.
pub const INDEX_DIR: &str = "_search/";
