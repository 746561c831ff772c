//! The integration tests of handbook: one test crate, one module per area, and [`support`],
//! what they share (fixture sites, running the binary, `handbook serve`, HTTP, a static file
//! server, a browser). How it is organised and how to run it: tests/README.md.

mod support;

mod accessibility;
mod announcement;
mod atom_validator;
mod branding;
mod build;
mod cli;
mod corpus;
mod csp_browser;
mod diagrams_browser;
mod edit_links;
mod errors;
mod external;
mod fingerprints;
mod garbage;
mod headers;
mod history;
mod links;
mod lost_anchors;
mod mojibake;
mod owners;
mod preview;
mod preview_browser;
mod recent_changes;
mod redirects;
mod safety;
mod scale;
mod search;
mod search_browser;
mod serve;
mod serve_app;
mod serve_browser;
mod serve_burst;
mod serve_load;
mod shortcodes;
mod shortcodes_browser;
mod stale;
mod theme_browser;
