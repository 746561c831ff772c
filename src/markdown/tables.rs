//! Tables whose delimiter row (`|---|---|`) has another number of cells than their header row.
//! GFM, and so pulldown-cmark and GitHub, show them as plain text with pipes; kramdown rendered
//! them as tables, so handbooks written for Jekyll have them. Before the page is parsed, such a
//! delimiter row is rewritten in place to one cell per header cell, with the same length, so
//! that every byte offset (and so every line and column reported) stays right.

use pulldown_cmark::{Event, Parser, Tag};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::ops::Range;

/// A table whose delimiter row had another number of cells than its header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFix {
    /// Byte offset of the delimiter row.
    pub offset: usize,
    pub header_cells: usize,
    pub delimiter_cells: usize,
    /// Whether the page shows it as a table (false when its delimiter row is too short to be
    /// rewritten in place, or when the page's Markdown reads its header row otherwise).
    pub rendered: bool,
}

impl TableFix {
    /// What to tell the page's author, and how to fix it.
    pub fn warning(&self) -> (String, String) {
        let (header, delimiter) = (self.header_cells, self.delimiter_cells);
        let counts = format!(
            "the header row of this table has {header} cell{} and its delimiter row {delimiter}",
            plural(header)
        );
        let message = if !self.rendered {
            format!("{counts}: it shows as plain text")
        } else if delimiter > header {
            format!(
                "{counts}: shown as a table of {header} column{}, leaving out any cell after the {header}{} of a row, but GitHub shows it as plain text",
                plural(header),
                ordinal_suffix(header)
            )
        } else {
            format!(
                "{counts}: shown as a table of {header} column{}, but GitHub shows it as plain text",
                plural(header)
            )
        };
        let example = if header <= 8 {
            format!("|{}", " --- |".repeat(header))
        } else {
            format!("| --- | ... | --- | ({header} cells)")
        };
        let mut help = format!("write one delimiter cell per header cell: {example}");
        if delimiter > header {
            help.push_str(", or add the missing cells to the header row");
        }
        (message, help)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn ordinal_suffix(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// A header row followed by a delimiter row with another number of cells.
struct Candidate {
    header: Range<usize>,
    delimiter: Range<usize>,
    header_cells: usize,
    delimiter_cells: usize,
}

/// `markdown` with the delimiter row of every such table rewritten to the header's number of
/// cells (borrowed when there is none), and the tables found. A table is one only where
/// Markdown reads the two rows as lines of one paragraph: not in code, not in raw HTML.
pub fn fix(markdown: &str) -> (Cow<'_, str>, Vec<TableFix>) {
    let candidates = candidates(markdown);
    if candidates.is_empty() {
        return (Cow::Borrowed(markdown), Vec::new());
    }
    let paragraphs: Vec<Range<usize>> = Parser::new_ext(markdown, super::parser_options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::Paragraph)))
        .map(|(_, range)| range)
        .collect();
    let mut text = markdown.to_string();
    let mut fixes = Vec::new();
    // The paragraph of the last table found: once it is a table, its next lines are rows.
    let mut last: Option<&Range<usize>> = None;
    for candidate in candidates {
        let paragraph = paragraphs
            .iter()
            .find(|p| p.start <= candidate.header.end && p.end > candidate.delimiter.start);
        let Some(paragraph) = paragraph else {
            continue;
        };
        if last.replace(paragraph) == Some(paragraph) {
            continue;
        }
        let row = markdown
            .get(candidate.delimiter.clone())
            .unwrap_or_default();
        let rewritten = delimiter_row(row, candidate.header_cells);
        if let Some(rewritten) = &rewritten {
            text.replace_range(candidate.delimiter.clone(), rewritten);
        }
        fixes.push(TableFix {
            offset: candidate.delimiter.start,
            header_cells: candidate.header_cells,
            delimiter_cells: candidate.delimiter_cells,
            rendered: rewritten.is_some(),
        });
    }
    if fixes.iter().any(|f| f.rendered) {
        (Cow::Owned(text), fixes)
    } else {
        (Cow::Borrowed(markdown), fixes)
    }
}

/// `fixes`, each marked rendered only if the page's events have a table there.
pub fn rendered(mut fixes: Vec<TableFix>, events: &[(Event<'_>, Range<usize>)]) -> Vec<TableFix> {
    for fix in &mut fixes {
        fix.rendered = fix.rendered
            && events.iter().any(|(e, range)| {
                matches!(e, Event::Start(Tag::Table(_))) && range.contains(&fix.offset)
            });
    }
    fixes
}

/// Pairs of lines that look like a header row and a delimiter row with another number of cells,
/// by a look at the lines alone. Ranges are of the rows without their container prefix (`> `,
/// indentation) and line ending.
fn candidates(markdown: &str) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut previous: Option<Range<usize>> = None;
    let mut start = 0;
    for line in markdown.split_inclusive('\n') {
        let row = content_of(line, start);
        start += line.len();
        let Some(header) = previous.replace(row.clone()) else {
            continue;
        };
        let Some(delimiter_cells) = delimiter_cells(&markdown[row.clone()]) else {
            continue;
        };
        let header_text = &markdown[header.clone()];
        if !has_pipe(header_text) || delimiter_cells_of(header_text).is_some() {
            continue;
        }
        let header_cells = cells(header_text).len();
        if header_cells != delimiter_cells {
            found.push(Candidate {
                header,
                delimiter: row,
                header_cells,
                delimiter_cells,
            });
        }
    }
    found
}

/// The range of `line` (which starts at `start`) without its container prefix (spaces, tabs,
/// `>`) and line ending.
fn content_of(line: &str, start: usize) -> Range<usize> {
    let body = line.trim_end_matches(['\n', '\r']);
    let content = body.trim_start_matches([' ', '\t', '>']);
    start + (body.len() - content.len())..start + body.len()
}

/// The number of cells of `row` if it is a delimiter row with at least one pipe.
fn delimiter_cells(row: &str) -> Option<usize> {
    if !row.contains('|') {
        // `---` alone under a line is a setext heading's underline, for kramdown too.
        return None;
    }
    delimiter_cells_of(row)
}

fn delimiter_cells_of(row: &str) -> Option<usize> {
    if !row.contains('-')
        || !row
            .chars()
            .all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
    {
        return None;
    }
    let cells = cells(row);
    cells
        .iter()
        .all(|cell| is_delimiter_cell(cell.trim()))
        .then_some(cells.len())
}

/// `---`, `:--`, `--:`, `:-:`.
fn is_delimiter_cell(cell: &str) -> bool {
    let inner = cell.strip_prefix(':').unwrap_or(cell);
    let inner = inner.strip_suffix(':').unwrap_or(inner);
    !inner.is_empty() && inner.bytes().all(|b| b == b'-')
}

fn has_pipe(row: &str) -> bool {
    unescaped_pipes(row).next().is_some()
}

/// Byte offsets of the pipes of `row` that separate cells (not `\|`).
fn unescaped_pipes(row: &str) -> impl Iterator<Item = usize> + '_ {
    let mut escaped = false;
    row.bytes().enumerate().filter_map(move |(i, b)| {
        let pipe = b == b'|' && !escaped;
        escaped = b == b'\\' && !escaped;
        pipe.then_some(i)
    })
}

/// The cells of a table row, as GFM splits it: at unescaped pipes, a leading and a trailing
/// pipe not counting.
fn cells(row: &str) -> Vec<&str> {
    let row = row.trim_matches([' ', '\t']);
    let mut inner = row.strip_prefix('|').unwrap_or(row);
    if !inner.is_empty() && unescaped_pipes(inner).last() == Some(inner.len() - 1) {
        inner = &inner[..inner.len() - 1];
    }
    let mut cells = Vec::new();
    let mut start = 0;
    for pipe in unescaped_pipes(inner) {
        cells.push(&inner[start..pipe]);
        start = pipe + 1;
    }
    cells.push(&inner[start..]);
    cells
}

/// `row` (a delimiter row) with `count` cells and the same length, keeping the alignment of the
/// cells it keeps; `None` if it is too short for that many.
fn delimiter_row(row: &str, count: usize) -> Option<String> {
    let mut kept: Vec<String> = cells(row)
        .iter()
        .take(count)
        .map(|cell| cell.trim().to_string())
        .collect();
    kept.resize(count, "---".to_string());
    let minimal: Vec<String> = kept.iter().map(|cell| minimal_cell(cell)).collect();
    let layouts = [
        format!("| {} |", kept.join(" | ")),
        format!("|{}|", kept.join("|")),
        format!("|{}|", minimal.join("|")),
        minimal.join("|"),
    ];
    let mut fitting = layouts
        .into_iter()
        .find(|layout| layout.len() <= row.len())?;
    // A 1-cell row without outer pipes would be no delimiter row at all.
    if !fitting.contains('|') {
        return None;
    }
    let padding = row.len() - fitting.len();
    fitting.push_str(&" ".repeat(padding));
    Some(fitting)
}

/// A delimiter cell with one `-`, keeping its colons.
fn minimal_cell(cell: &str) -> String {
    let left = if cell.starts_with(':') { ":" } else { "" };
    let right = if cell.len() > 1 && cell.ends_with(':') {
        ":"
    } else {
        ""
    };
    format!("{left}-{right}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_split_at_unescaped_pipes() {
        assert_eq!(cells("| a | b |"), [" a ", " b "]);
        assert_eq!(cells("a | b"), ["a ", " b"]);
        assert_eq!(cells("| a \\| b |"), [" a \\| b "]);
        assert_eq!(cells("|---|"), ["---"]);
        assert_eq!(cells("| a ||"), [" a ", ""]);
        assert_eq!(cells("|"), [""]);
        assert_eq!(delimiter_cells("|---|:-:|"), Some(2));
        assert_eq!(delimiter_cells("---"), None);
        assert_eq!(delimiter_cells("| a |"), None);
        assert_eq!(delimiter_cells("|--|  |"), None);
    }

    #[test]
    fn delimiter_rows_are_rewritten_to_the_same_length() {
        assert_eq!(delimiter_row("|---|", 3).as_deref(), Some("-|-|-"));
        assert_eq!(
            delimiter_row("|---|---|---|", 2).as_deref(),
            Some("| --- | --- |")
        );
        assert_eq!(delimiter_row("|:--|--:|", 3).as_deref(), Some("|:-|-:|-|"));
        assert_eq!(delimiter_row("|-|", 3), None);
        for (row, count) in [("|---|", 3), ("| :---: | --- |", 5), ("---|---|---", 1)] {
            if let Some(new) = delimiter_row(row, count) {
                assert_eq!(new.len(), row.len(), "{row} → {new}");
                assert_eq!(
                    delimiter_cells(new.trim_end()),
                    Some(count),
                    "{row} → {new}"
                );
            }
        }
    }

    #[test]
    fn finds_tables_in_paragraphs_outside_code() {
        let md = "| a | b | c |\n|---|---|\n| 1 | 2 | 3 |\n\n```\n| x | y |\n|---|\n```\n\ntext\n| a | b |\n|---|\n\n> | q | r |\n> |---|\n";
        let (fixed, fixes) = fix(md);
        assert_eq!(fixed.len(), md.len());
        assert_eq!(fixed.lines().count(), md.lines().count());
        let at: Vec<(usize, usize, usize)> = fixes
            .iter()
            .map(|f| {
                (
                    md[..f.offset].matches('\n').count() + 1,
                    f.header_cells,
                    f.delimiter_cells,
                )
            })
            .collect();
        assert_eq!(at, [(2, 3, 2), (12, 2, 1), (15, 2, 1)]);
        assert!(fixed.starts_with("| a | b | c |\n|-|-|-|  \n"), "{fixed}");
        assert!(fixed.contains("```\n| x | y |\n|---|\n```"));
        // After a line of text too, as GFM starts a table there.
        assert!(fixed.contains("text\n| a | b |\n|-|-|\n"), "{fixed}");
        assert!(fixed.contains("> | q | r |\n> |-|-|\n"), "{fixed}");
        // Once a paragraph is a table, its next lines are its rows, even if they look like a
        // header and a delimiter row.
        let md = "| a | b | c |\n|---|---|\n| x | y | z |\n|---|\n";
        let (fixed, fixes) = fix(md);
        assert_eq!(fixes.len(), 1);
        assert!(fixed.ends_with("| x | y | z |\n|---|\n"), "{fixed}");
    }

    #[test]
    fn any_text_keeps_its_length_and_lines() {
        const PIECES: &[&str] = &[
            "|", "-", ":", " ", "\n", "\r\n", "a", "é", "\\", "> ", "`", "```\n", "\t", "|---|",
        ];
        let mut seed: u64 = 7;
        for _ in 0..20_000 {
            let mut md = String::new();
            for _ in 0..16 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                md.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
            }
            let (fixed, _) = fix(&md);
            assert_eq!(fixed.len(), md.len(), "{md:?}");
            assert_eq!(
                fixed.matches('\n').count(),
                md.matches('\n').count(),
                "{md:?}"
            );
        }
    }

    #[test]
    fn a_page_without_such_tables_is_borrowed() {
        let md = "| a | b |\n|---|---|\n| 1 | 2 |\n";
        assert!(matches!(fix(md), (Cow::Borrowed(_), fixes) if fixes.is_empty()));
    }

    #[test]
    fn warnings_say_what_was_assumed_and_how_to_write_it() {
        let fix = TableFix {
            offset: 0,
            header_cells: 3,
            delimiter_cells: 2,
            rendered: true,
        };
        assert_eq!(
            fix.warning(),
            (
                "the header row of this table has 3 cells and its delimiter row 2: shown as a table of 3 columns, but GitHub shows it as plain text".to_string(),
                "write one delimiter cell per header cell: | --- | --- | --- |".to_string()
            )
        );
        let wider = TableFix {
            header_cells: 2,
            delimiter_cells: 3,
            ..fix
        };
        assert_eq!(
            wider.warning(),
            (
                "the header row of this table has 2 cells and its delimiter row 3: shown as a table of 2 columns, leaving out any cell after the 2nd of a row, but GitHub shows it as plain text".to_string(),
                "write one delimiter cell per header cell: | --- | --- |, or add the missing cells to the header row".to_string()
            )
        );
        let (out, analysis) = crate::markdown::render(
            "| a | b |\n|---|---|---|\n| 1 | 2 | 3 |\n",
            crate::markdown::MarkdownOptions {
                toc_max_level: 0,
                title: "",
                marked: &[],
                search_code: false,
                palette: None,
                shortcodes: Default::default(),
            },
            &|_| None,
        );
        assert_eq!(out.html.matches("<td>").count(), 2, "{}", out.html);
        assert_eq!(analysis.tables[0].delimiter_cells, 3);
    }
}
