//! `mojibake::repair_file` on real files: the repair is atomic and exact, keeps the file's
//! permissions, and leaves alone a file with nothing to repair or that is not UTF-8.

use handbook::source::mojibake::{self, Mojibake};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A page as the old export left it: lines from `shared/seeds/` (002 and 004), with CRLF line
/// endings, a byte order mark, tabs and trailing spaces that must all survive the repair.
const DAMAGED: &str = "\u{feff}---\r\nlayout: page\r\ntitle: Product Handbook\r\n---\r\n\r\n\
    - If it's _not_ urgent, assign it to Danielle to triage:  \r\n\r\n\
    \x20     ```md\r\n\
    \x20     /milestone %â€œBacklog\" or %<next milestone>\r\n\
    \x20     ```\r\n\r\n\
    10. Given the above, whatâ€™s the recommendation? (go or no-go)\t\r\n\
    CafÃ© at SÃ£o Paulo â€” naÃ¯ve Â½ cup\r\n";

const REPAIRED: &str = "\u{feff}---\r\nlayout: page\r\ntitle: Product Handbook\r\n---\r\n\r\n\
    - If it's _not_ urgent, assign it to Danielle to triage:  \r\n\r\n\
    \x20     ```md\r\n\
    \x20     /milestone %“Backlog\" or %<next milestone>\r\n\
    \x20     ```\r\n\r\n\
    10. Given the above, what’s the recommendation? (go or no-go)\t\r\n\
    Café at São Paulo — naïve ½ cup\r\n";

/// Legitimate text from `shared/seeds/003` and elsewhere: nothing to repair.
const CLEAN: &str = "  • Be aware that the owner’s view layout also changes the view for others.\n\
    \x20   1. From the “More” or “…” menu, select “Live on Youtube”.\n\
    Café, naïve, São Paulo, Ångström, ½, ©, Ã, Â, Straße, «\u{a0}déjà\u{a0}», ¿Qué?, 日本語 😀\n";

fn write(path: &Path, bytes: &[u8], mode: u32) {
    fs::write(path, bytes).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// A modification time far in the past, so that any rewrite would show.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    old
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn find_reports_the_real_damage_with_positions() {
    let found = mojibake::find(DAMAGED);
    let summary: Vec<(usize, usize, &str, &str)> = found
        .iter()
        .map(|m: &Mojibake| (m.line, m.column, m.found.as_str(), m.repaired.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (9, 19, "â€œ", "“"),
            (12, 26, "â€™", "’"),
            (13, 4, "Ã©", "é"),
            // Columns count the characters of the damaged line, as an editor shows it.
            (13, 11, "Ã£", "ã"),
            (13, 21, "â€”", "—"),
            (13, 27, "Ã¯", "ï"),
            (13, 32, "Â½", "½"),
        ]
    );
    for m in &found {
        assert_eq!(&DAMAGED[m.start..m.end], m.found);
    }
    assert_eq!(mojibake::repair(DAMAGED).as_deref(), Some(REPAIRED));
    assert_eq!(mojibake::find(CLEAN), []);
}

#[test]
fn repairs_in_place_exactly_and_keeps_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.md");
    write(&page, DAMAGED.as_bytes(), 0o640);
    let inode = fs::metadata(&page).unwrap().ino();

    assert_eq!(mojibake::repair_file(&page).unwrap(), 7);

    assert_eq!(fs::read(&page).unwrap(), REPAIRED.as_bytes());
    let meta = fs::metadata(&page).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    // A new file renamed over the old one, not the old one rewritten in place.
    assert_ne!(meta.ino(), inode);
    // No temporary file left behind.
    assert_eq!(names_in(dir.path()), ["page.md"]);
    // Repaired once and for all.
    assert_eq!(mojibake::repair_file(&page).unwrap(), 0);
}

#[test]
fn a_file_with_nothing_to_repair_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("clean.md");
    write(&page, CLEAN.as_bytes(), 0o644);
    let modified = age(&page);
    let inode = fs::metadata(&page).unwrap().ino();

    assert_eq!(mojibake::repair_file(&page).unwrap(), 0);

    let meta = fs::metadata(&page).unwrap();
    assert_eq!(meta.modified().unwrap(), modified);
    assert_eq!(meta.ino(), inode);
    assert_eq!(fs::read(&page).unwrap(), CLEAN.as_bytes());
    assert_eq!(names_in(dir.path()), ["clean.md"]);
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_and_stays_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("latin1.md");
    // Mojibake and a stray latin-1 byte: nothing may be repaired.
    let bytes = b"don\xc3\xa2\xe2\x82\xac\xe2\x84\xa2t caf\xe9\n";
    write(&page, bytes, 0o600);
    let modified = age(&page);

    let error = mojibake::repair_file(&page).unwrap_err();

    assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
    let message = error.to_string();
    assert!(message.contains("latin1.md"), "{message}");
    assert!(message.contains("not valid UTF-8"), "{message}");
    assert!(message.contains("byte offset 16"), "{message}");
    assert_eq!(fs::read(&page).unwrap(), bytes);
    assert_eq!(fs::metadata(&page).unwrap().modified().unwrap(), modified);
    assert_eq!(names_in(dir.path()), ["latin1.md"]);
}

#[test]
fn a_symbolic_link_stays_a_link_to_the_repaired_file() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.md");
    let link = dir.path().join("link.md");
    write(&real, "donâ€™t\n".as_bytes(), 0o644);
    std::os::unix::fs::symlink("real.md", &link).unwrap();

    assert_eq!(mojibake::repair_file(&link).unwrap(), 1);

    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&real).unwrap(), "don’t\n");
    assert_eq!(names_in(dir.path()), ["link.md", "real.md"]);
}

#[test]
fn a_missing_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let error = mojibake::repair_file(&dir.path().join("missing.md")).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
}
