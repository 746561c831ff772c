//! `handbook serve` coalesces a burst of changes (a `git checkout`, a search-and-replace over
//! the handbook) into one update. The test has the machine to itself ([`alone`]) while it
//! writes its 500 files, so that no other test competes for the CPU: a writer paused for
//! longer than the quiet period would make two bursts.

use crate::support::alone::alone;
use crate::support::{Fixture, Served, page};
use std::time::Duration;

#[test]
fn a_burst_of_500_files_is_one_update() {
    let fixture = Fixture::new()
        .file("content/index.md", page("Home", "Welcome."))
        .file(
            "content/engineering/index.md",
            page("Engineering", "How we build."),
        );
    let server = Served::start(&fixture.root(), &[]);
    server.wait_line("Checked the links");
    let events = server.events();
    assert_eq!(events.next().0, "hello");
    let dir = fixture.root().join("content/engineering");
    // Plain writes: `Fixture::write` would wait for this test to be done.
    let machine = alone();
    for i in 0..500 {
        std::fs::write(
            dir.join(format!("burst-{i:03}.md")),
            page(&format!("Burst {i}"), "A page of a burst."),
        )
        .unwrap();
    }
    let lines = server.wait_line("Updated");
    // The burst made its first update: however many it makes, the writes decided it.
    drop(machine);
    assert!(lines.last().unwrap().contains("500 files"), "{lines:?}");
    server.wait_for("/engineering/burst-499/", "the last page", |r| {
        r.status == 200 && r.body.contains("A page of a burst.")
    });
    assert_eq!(server.get("/engineering/burst-000/").status, 200);
    let later = server.lines_for(Duration::from_millis(500));
    assert!(later.is_empty(), "more than one update: {later:?}");
    // One reload for the whole burst.
    let reloads = events
        .within(Duration::from_millis(300))
        .into_iter()
        .filter(|(name, _)| name == "reload")
        .count();
    assert_eq!(reloads, 1);
    // Every new page is in the navigation.
    let nav = server.get("/engineering/").body;
    assert!(nav.contains("href=\"/engineering/burst-250/\""));
}
