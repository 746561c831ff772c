//! When each page of `content/` last changed, and who changed it: "Last updated 20 November 2026
//! by Jane Doe". Read from the git history in one pass for the whole site (one `git log`
//! process, however many pages), by `handbook build` and `handbook check`.
//!
//! Everything degrades to "no date": outside a checkout, without `git`, for files never
//! committed, and for files a shallow clone cannot date. A wrong date is worse than none.

use crate::git::{MARKER, Repo};
use crate::layout::CONTENT_DIR;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The latest commit that changed a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Updated {
    /// The commit's author date, in the author's time zone: `2026-11-20`.
    pub date: String,
    /// The author's name, as `.mailmap` spells it.
    pub author: String,
}

impl Updated {
    /// The date in words: `20 November 2026`.
    pub fn long_date(&self) -> String {
        long_date(&self.date).unwrap_or_else(|| self.date.clone())
    }
}

/// The latest change of each file of `content/`, by its path relative to `content/`
/// (`engineering/triage.md`).
pub type History = HashMap<String, Updated>;

/// The history of `content/` of the handbook in `repo`.
pub fn load(repo: &Repo) -> History {
    let content = format!("{}{CONTENT_DIR}/", repo.prefix);
    // Before the log: a preview's review may unshallow the clone meanwhile (review.rs,
    // `fetch --unshallow`), which only removes boundaries. Read first, a boundary the log no
    // longer has costs a date; read after, a boundary the log had would give wrong ones.
    let boundaries = repo.shallow_boundaries();
    let format = format!("--format={MARKER}%H%x09%aI%x09%aN");
    let log = repo.run(&[
        // The handbook's folder may have `*` or `[` in its name: a path, not a pattern.
        "--literal-pathspecs",
        "log",
        "-z",
        &format,
        "--name-only",
        "--no-renames",
        // A signing setting must not mix signature checks into the output.
        "--no-show-signature",
        "--",
        &content,
    ]);
    match log {
        Ok(log) => parse_log(&log, &content, &boundaries),
        Err(_) => History::new(),
    }
}

/// Reads `git log -z --format=<MARKER>%H%x09%aI%x09%aN --name-only`, newest commit first: the
/// first commit that names a file is its latest change. Paths are kept relative to `content`
/// (`docs/content/`). A file first named by a commit of `boundaries` (where a shallow clone's
/// history is cut, and which git shows as adding every file) gets no date: its real latest
/// change may be older than the clone.
pub fn parse_log(log: &str, content: &str, boundaries: &HashSet<String>) -> History {
    // `None`: seen first at a shallow boundary, so unknown, and no older commit may date it.
    let mut seen: HashMap<&str, Option<Updated>> = HashMap::new();
    let mut commit: Option<(bool, Updated)> = None;
    // Each commit is `<MARKER>header\0`, then `\n` and its files, each ending with `\0`.
    for token in log.split('\0') {
        let token = token.strip_prefix('\n').unwrap_or(token);
        if let Some(header) = token.strip_prefix(MARKER) {
            commit = parse_header(header, boundaries);
            continue;
        }
        let (Some(rel), Some((at_boundary, updated))) = (token.strip_prefix(content), &commit)
        else {
            continue;
        };
        seen.entry(rel)
            .or_insert_with(|| (!at_boundary).then(|| updated.clone()));
    }
    seen.into_iter()
        .filter_map(|(rel, updated)| Some((rel.to_string(), updated?)))
        .collect()
}

/// `id\tdate\tauthor` → whether the commit is a shallow boundary, and its date and author.
fn parse_header(header: &str, boundaries: &HashSet<String>) -> Option<(bool, Updated)> {
    let mut fields = header.splitn(3, '\t');
    let id = fields.next()?;
    let date = fields.next()?.get(..10)?;
    let author = fields.next()?.trim();
    long_date(date)?;
    Some((
        boundaries.contains(id),
        Updated {
            date: date.to_string(),
            author: author.to_string(),
        },
    ))
}

/// `2026-11-20` (or the start of `2026-11-20T09:00:00Z`) → its day number (days since
/// 1970-01-01); `None` for anything else, a day the month does not have included.
pub fn day_number(iso: &str) -> Option<i64> {
    long_date(iso.get(..10)?)?;
    let mut parts = iso[..10].splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let day = era * 146_097 + doe - 719_468;
    // 2026-02-30 would be 2 March: not a day of its month.
    (iso_date(day) == iso[..10]).then_some(day)
}

/// Day number `day` as `2026-11-20`.
pub fn iso_date(day: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today's day number, in UTC.
pub fn today() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    seconds.div_euclid(86_400)
}

/// `2026-11-20` → `20 November 2026`; `None` for anything else.
pub fn long_date(iso: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = iso.splitn(3, '-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(year, 4) && all_digits(month, 2) && all_digits(day, 2)) {
        return None;
    }
    let month = MONTHS.get(month.parse::<usize>().ok()?.checked_sub(1)?)?;
    let day: u8 = day.parse().ok()?;
    (1..=31)
        .contains(&day)
        .then(|| format!("{day} {month} {year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log as `git log -z --name-only` prints it: each commit `(id, date, author, files)`.
    fn log(commits: &[(&str, &str, &str, &[&str])]) -> String {
        let mut out = String::new();
        for (id, date, author, files) in commits {
            out.push_str(&format!("{MARKER}{id}\t{date}\t{author}\0"));
            if !files.is_empty() {
                out.push('\n');
            }
            for file in *files {
                out.push_str(file);
                out.push('\0');
            }
        }
        out
    }

    fn updated(date: &str, author: &str) -> Updated {
        Updated {
            date: date.into(),
            author: author.into(),
        }
    }

    #[test]
    fn the_first_commit_that_names_a_file_is_its_latest_change() {
        let text = log(&[
            (
                "c3",
                "2026-11-20T09:00:00+01:00",
                "Jane Doe",
                &["content/a.md"],
            ),
            // A merge lists no files.
            ("c2", "2026-10-01T12:00:00Z", "Merger", &[]),
            (
                "c1",
                "2026-01-02T23:30:00-05:00",
                "Bob",
                &["content/a.md", "content/team/b c.md"],
            ),
        ]);
        let history = parse_log(&text, "content/", &HashSet::new());
        assert_eq!(history.len(), 2);
        assert_eq!(history["a.md"], updated("2026-11-20", "Jane Doe"));
        // The date in the author's own time zone, not converted.
        assert_eq!(history["team/b c.md"], updated("2026-01-02", "Bob"));
    }

    #[test]
    fn keeps_paths_relative_to_content_in_a_subfolder_handbook() {
        let text = log(&[(
            "c1",
            "2026-03-04T00:00:00Z",
            "Ann",
            &["docs/handbook/content/x.md", "docs/other/content/y.md"],
        )]);
        let history = parse_log(&text, "docs/handbook/content/", &HashSet::new());
        assert_eq!(history.keys().collect::<Vec<_>>(), ["x.md"]);
    }

    #[test]
    fn files_first_seen_at_a_shallow_boundary_have_no_date() {
        let text = log(&[
            ("c2", "2026-05-05T00:00:00Z", "Ann", &["content/new.md"]),
            (
                "c1",
                "2026-04-04T00:00:00Z",
                "Bob",
                &["content/new.md", "content/old.md"],
            ),
            // Older than the boundary, on another line of history: still not a date for
            // `old.md`, whose latest change may be behind the boundary.
            ("c0", "2020-01-01T00:00:00Z", "Eve", &["content/old.md"]),
        ]);
        let boundaries = HashSet::from(["c1".to_string()]);
        let history = parse_log(&text, "content/", &boundaries);
        assert_eq!(history.len(), 1);
        assert_eq!(history["new.md"], updated("2026-05-05", "Ann"));
    }

    #[test]
    fn authors_may_have_tabs_and_headers_may_be_garbage() {
        let text = format!(
            "{}{MARKER}bad header\0\ncontent/b.md\0",
            log(&[("c1", "2026-02-03T00:00:00Z", "A\tB", &["content/a.md"])])
        );
        let history = parse_log(&text, "content/", &HashSet::new());
        assert_eq!(history["a.md"], updated("2026-02-03", "A\tB"));
        assert!(!history.contains_key("b.md"));
        assert!(parse_log("", "content/", &HashSet::new()).is_empty());
    }

    #[test]
    fn counts_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11_017));
        assert_eq!(day_number("2026-12-05T10:00:00+01:00"), Some(20_792));
        assert_eq!(iso_date(20_792), "2026-12-05");
        assert_eq!(iso_date(day_number("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("2026-02-30"), None);
        assert_eq!(day_number("2026-04-31"), None);
        assert_eq!(day_number("2023-02-29"), None);
        assert!(today() > 20_000);
    }

    #[test]
    fn writes_dates_in_words() {
        assert_eq!(long_date("2026-11-20").as_deref(), Some("20 November 2026"));
        assert_eq!(long_date("2026-01-02").as_deref(), Some("2 January 2026"));
        assert_eq!(long_date("2026-13-02"), None);
        assert_eq!(long_date("2026-00-02"), None);
        assert_eq!(long_date("20261102"), None);
        assert_eq!(long_date("2026-1-2x"), None);
    }
}
