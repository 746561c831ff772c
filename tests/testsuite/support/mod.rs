//! What the tests share, one piece for each thing they do:
//!
//! - [`fixture`]: a site in a temporary folder ([`Fixture`]), built and read back
//!   ([`BuiltSite`]), and snapshots of folders;
//! - [`html`]: CSS selectors over the built pages, the sidebar and table of contents as lines;
//! - [`cmd`]: the `handbook` binary run to the end ([`Handbook`]), its output compared word for
//!   word ([`cmd::Run`]);
//! - [`serve`]: `handbook serve` on 127.0.0.1:0 ([`Served`]), killed with its process group;
//! - [`http`]: the HTTP client of the tests, and live-reload events;
//! - [`static_server`]: a built site served as Netlify serves it ([`StaticServer`]), and the
//!   small server it is made of, for other answers;
//! - [`browser`]: headless Chromium over WebDriver;
//! - [`git`], [`merge_request`]: git repositories with fixed authors and dates;
//! - [`process`]: a child in its own process group, killed by the group's id;
//! - [`alone`]: the machine to one test for a while.

pub mod alone;
pub mod atom;
pub mod browser;
pub mod cmd;
pub mod fixture;
pub mod git;
pub mod html;
pub mod http;
pub mod merge_request;
pub mod process;
pub mod serve;
pub mod static_server;

pub use cmd::Handbook;
pub use fixture::{
    BuiltSite, CONFIG, Fixture, assert_same_tree, copy_dir, page, snapshot, top_level,
};
pub use html::{
    pairs, rel_link, select, select_attrs, select_one, select_texts, sidebar, text, toc,
};
pub use serve::Served;
pub use static_server::StaticServer;
