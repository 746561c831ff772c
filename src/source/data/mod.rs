//! Reading `data/`: the handbook's YAML, JSON, TOML and CSV files, which templates see as
//! `data.<name>` (`data/team.yml` is `data.team`, `data/tools/ci.json` is `data.tools.ci`).
//!
//! This file owns the data files' formats: each file becomes one JSON value, its keys in the
//! order they are written (serde_json's `preserve_order`), and the values of its link keys
//! (`url`, `link`, `href`, `page`, `*_url`, `*_link`, `*_page`) are kept with their line and
//! column, for the link checker. A file with a problem is reported at its line and left out;
//! every other file is still read, so that a contributor sees all problems at once.
//!
//! Formats, by extension (any case): `.yml` and `.yaml` (one document only: a second `---`
//! document is an error, not silently dropped), `.json`, `.toml` (dates become their text), and
//! `.csv` (RFC 4180, read here: the first row names the columns, every other row becomes an
//! object of strings keyed by them, as Jekyll does). Other files of `data/` are ignored.

mod csv;
mod formats;

use crate::diagnostics::{Diagnostic, Diagnostics, position_after};
use crate::layout::DATA_DIR;
use csv::parse_csv;
use formats::{parse_json, parse_toml, parse_yaml};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Every data file of `data/`, read and parsed.
#[derive(Debug, Clone)]
pub struct Data {
    /// An object: each file's content under its key path.
    pub value: Value,
    /// The files, sorted by path.
    pub files: Vec<DataFile>,
}

/// No data: `value` is an empty object (so that `data.team` is "not there", as with a
/// `data/` folder that lacks `team.yml`).
impl Default for Data {
    fn default() -> Self {
        Data {
            value: Value::Object(Map::new()),
            files: Vec::new(),
        }
    }
}

/// One data file that was read and parsed.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// `["tools", "ci"]` for `data/tools/ci.json`.
    pub key: Vec<String>,
    /// As shown in messages: `data/tools/ci.json`.
    pub path: String,
    /// xxh3_64 of the file's bytes.
    pub digest: u64,
    /// The links the file holds, in document order.
    pub links: Vec<DataLink>,
}

/// A link written in a data file: the value of a link key, where the value is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLink {
    pub dest: String,
    /// 1-based line and column (in characters) of the value's first character as written:
    /// its opening quote when it is quoted.
    pub line: usize,
    pub col: usize,
}

/// The formats of data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Yaml,
    Json,
    Toml,
    Csv,
}

/// The stem and format of a file name (`ci.json` → `ci`, JSON), or `None` when its extension
/// is not a data format.
fn format_of(name: &str) -> Option<(&str, Format)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let format = match ext.to_ascii_lowercase().as_str() {
        "yml" | "yaml" => Format::Yaml,
        "json" => Format::Json,
        "toml" => Format::Toml,
        "csv" => Format::Csv,
        _ => return None,
    };
    (!stem.is_empty()).then_some((stem, format))
}

/// The key path of a file path relative to `data/` (`tools/ci.json` → `["tools", "ci"]`), or
/// `None` when the extension is not a data format. Names are kept as written (`on-call.yml` is
/// `on-call`); only the last extension goes (`v1.2.yml` is `v1.2`).
pub fn key_of(rel: &str) -> Option<Vec<String>> {
    let (folders, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let (stem, _) = format_of(name)?;
    let mut key: Vec<String> = folders
        .split('/')
        .filter(|folder| !folder.is_empty())
        .map(String::from)
        .collect();
    key.push(stem.to_string());
    Some(key)
}

/// Reads `root/data` (no folder: empty [`Data`], no problem). Problems go into `diags`; a
/// file with a problem is left out of `value` and `files`, but every other file is still read.
/// Symbolic links, pipes and the like are refused as [`crate::source::walk`] says.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Data {
    let mut parsed = Vec::new();
    for (rel, path) in crate::source::list_files(root, DATA_DIR, diags) {
        match read(&rel, &path) {
            Some(Ok(file)) => parsed.push(file),
            Some(Err(problem)) => diags.push(problem),
            None => {}
        }
    }
    assemble(parsed, diags)
}

/// Reads and parses the data file `rel` (relative to `data/`) at `path`; `None` when its
/// extension is not a data format (for [`load`], and for `handbook serve` to read one file
/// again).
pub fn read(rel: &str, path: &Path) -> Option<Result<(DataFile, Value), Diagnostic>> {
    let key = key_of(rel)?;
    let shown = format!("{DATA_DIR}/{rel}");
    let read =
        read_text(&shown, path).and_then(|(text, digest)| Ok((parse(&shown, &text)?, digest)));
    Some(read.map(|((value, links), digest)| {
        let file = DataFile {
            key,
            path: shown,
            digest,
            links,
        };
        (file, value)
    }))
}

/// The text of the file at `path` (shown as `shown`) and the xxh3_64 of its bytes. Text that
/// is not UTF-8 is an error at its first bad byte.
fn read_text(shown: &str, path: &Path) -> Result<(String, u64), Diagnostic> {
    let bytes = crate::source::walk::read(path)
        .map_err(|err| Diagnostic::error(shown, format!("cannot read the file: {err}")))?;
    let digest = xxhash_rust::xxh3::xxh3_64(&bytes);
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        // Positions count from after a byte order mark, as [`parse`]'s do.
        let (line, col) = position_after(valid.strip_prefix(b"\xef\xbb\xbf").unwrap_or(valid));
        Diagnostic::error(shown, "the file is not valid UTF-8 text")
            .at(line, col)
            .help("save the file with UTF-8 encoding (from a spreadsheet: export as \"CSV UTF-8\")")
    })?;
    Ok((text, digest))
}

/// Parses one file's text (for [`load`], and for `handbook serve` to read one file again).
/// `path` is the shown path (`data/team.yml`); the format is its extension's. A byte order
/// mark at the start is dropped; positions count from the character after it.
pub fn parse(path: &str, text: &str) -> Result<(Value, Vec<DataLink>), Diagnostic> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((_, format)) = format_of(name) else {
        return Err(Diagnostic::error(path, "this is not a data file")
            .help("data files end in .yml, .yaml, .json, .toml or .csv"));
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value = match format {
        Format::Csv => return parse_csv(path, text),
        Format::Yaml => parse_yaml(path, text)?,
        Format::Json => parse_json(path, text)?,
        Format::Toml => parse_toml(path, text)?,
    };
    let mut found = Vec::new();
    collect_links(&value, &mut found);
    let links = locate_links(text, found);
    Ok((value, links))
}

/// Assembles [`Data`] from files' keys and values: `value` holds each file's value under its
/// key path, `files` the files, sorted by path. Two files on one key (`team.yml` and
/// `team.json`), or a file and a folder of one name (`tools.yml` and `tools/`), are errors
/// naming both paths; of the two, the file whose path sorts last is left out.
pub fn assemble(mut parsed: Vec<(DataFile, Value)>, diags: &mut Diagnostics) -> Data {
    parsed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    // The keys taken so far, with the path of the file that took each.
    let mut taken: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut data = Data::default();
    for (file, value) in parsed {
        if let Some(problem) = conflict(&taken, &file) {
            diags.push(problem);
            continue;
        }
        insert(&mut data.value, &file.key, value);
        taken.insert(file.key.clone(), file.path.clone());
        data.files.push(file);
    }
    data
}

/// The error for `file` when its key is taken already, by another file or as a folder.
fn conflict(taken: &BTreeMap<Vec<String>, String>, file: &DataFile) -> Option<Diagnostic> {
    let name = format!("data.{}", file.key.join("."));
    if let Some(other) = taken.get(&file.key) {
        return Some(
            Diagnostic::error(
                &file.path,
                format!("`{other}` and `{}` are both `{name}`", file.path),
            )
            .help("keep one of the two files, or rename one: templates see a data file by its name without the extension"),
        );
    }
    // A file above this one (`tools.yml` for `tools/ci.json`), or one below it.
    let above = (1..file.key.len()).find_map(|n| taken.get_key_value(&file.key[..n]));
    let below = taken
        .range(file.key.clone()..)
        .next()
        .filter(|(key, _)| key.starts_with(&file.key));
    let (key, other) = above.or(below)?;
    let (as_file, as_folder) = match above.is_some() {
        true => (other.as_str(), file.path.as_str()),
        false => (file.path.as_str(), other.as_str()),
    };
    let shared = format!("data.{}", key[..key.len().min(file.key.len())].join("."));
    Some(
        Diagnostic::error(
            &file.path,
            format!("`{as_file}` and `{as_folder}` both need `{shared}`: the file as its value, the folder to hold its files"),
        )
        .help("rename the file or the folder: a key cannot be a file's content and a folder at once"),
    )
}

/// Sets `value` at `key` in the object `root`, making the objects on the way.
fn insert(root: &mut Value, key: &[String], value: Value) {
    let Some((last, folders)) = key.split_last() else {
        return;
    };
    let mut here = root;
    for folder in folders {
        let Value::Object(map) = here else {
            return;
        };
        here = map
            .entry(folder.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = here {
        map.insert(last.clone(), value);
    }
}

// ---------------------------------------------------------------------------------------------
// Links

/// Whether values of `key` are links: `url`, `link`, `href`, `page`, or a name ending in
/// `_url`, `_link` or `_page` (any case).
fn is_link_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    matches!(key.as_str(), "url" | "link" | "href" | "page")
        || ["_url", "_link", "_page"]
            .iter()
            .any(|end| key.ends_with(end))
}

/// The links of `value`, in document order: the non-empty texts of link keys at any depth,
/// alone or in a list (`related_page: [a, b]`), each with its key, but for the second and
/// following texts of a list (written after the previous one, not after the key).
fn collect_links(value: &Value, found: &mut Vec<(Option<String>, String)>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                if is_link_key(key) {
                    let texts = match value {
                        Value::Array(items) => items.iter().collect(),
                        one => vec![one],
                    };
                    let texts = texts.into_iter().filter_map(Value::as_str);
                    for (i, text) in texts.filter(|text| !text.trim().is_empty()).enumerate() {
                        found.push(((i == 0).then(|| key.clone()), text.to_string()));
                    }
                }
                collect_links(value, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_links(item, found)),
        _ => {}
    }
}

/// The position of each link in `text`. The parsers keep no positions, so each is found in the
/// text: its key after the previous link, then its value (as written: plain, or with JSON's
/// escapes, or YAML's `''`) after the key; failing that, the value's first place anywhere, then
/// the key's; failing all, where the previous link ends.
fn locate_links(text: &str, found: Vec<(Option<String>, String)>) -> Vec<DataLink> {
    let mut cursor = 0;
    let mut links = Vec::with_capacity(found.len());
    for (key, dest) in found {
        let key_at = key.as_ref().and_then(|key| {
            let at = cursor + text[cursor..].find(key.as_str())?;
            Some((at, at + key.len()))
        });
        let from = key_at.map_or(cursor, |(_, end)| end);
        let written = written_forms(&dest);
        let value_at = find_any(text, from, &written).or_else(|| find_any(text, 0, &written));
        let start = match value_at {
            Some((at, len)) => {
                cursor = at + len;
                let quoted = text[..at].ends_with(['"', '\'']);
                if quoted { at - 1 } else { at }
            }
            None => key_at.map_or(cursor, |(at, _)| at),
        };
        let (line, col) = position_after(&text.as_bytes()[..start]);
        links.push(DataLink { dest, line, col });
    }
    links
}

/// The ways `dest` may be written in a data file: as it is, with JSON's (and TOML's, and YAML
/// double quotes') escapes, with `\/` for `/` (as PHP writes JSON), in YAML single quotes.
fn written_forms(dest: &str) -> Vec<String> {
    let mut forms = vec![dest.to_string()];
    let json = serde_json::to_string(dest).unwrap_or_default();
    let json = json.trim_matches('"').to_string();
    let slashes = json.replace('/', "\\/");
    let single = dest.replace('\'', "''");
    for form in [json, slashes, single] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// The first place at or after `from` where one of `forms` is written: (offset, length).
fn find_any(text: &str, from: usize, forms: &[String]) -> Option<(usize, usize)> {
    forms
        .iter()
        .filter_map(|form| {
            text[from..]
                .find(form.as_str())
                .map(|i| (from + i, form.len()))
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(path: &str, text: &str) -> (Value, Vec<DataLink>) {
        parse(path, text).unwrap_or_else(|d| panic!("{d}"))
    }

    fn err(path: &str, text: &str) -> Diagnostic {
        match parse(path, text) {
            Ok((value, _)) => panic!("{path} parsed: {value}"),
            Err(d) => d,
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect()
    }

    fn link(dest: &str, line: usize, col: usize) -> DataLink {
        DataLink {
            dest: dest.to_string(),
            line,
            col,
        }
    }

    #[test]
    fn yaml_keeps_nesting_lists_and_written_order() {
        let text = "zeta: 1\nalpha:\n  name: Ada\n  roles: [lead, \"on-call\"]\nmembers:\n  - b: 2\n    a: 1\n";
        let (value, links) = ok("data/team.yml", text);
        assert_eq!(
            value,
            json!({"zeta": 1, "alpha": {"name": "Ada", "roles": ["lead", "on-call"]},
                   "members": [{"b": 2, "a": 1}]})
        );
        assert_eq!(keys(&value), ["zeta", "alpha", "members"]);
        assert_eq!(keys(&value["members"][0]), ["b", "a"]);
        assert!(links.is_empty());
        // A file may start with `---`, and may be empty.
        assert_eq!(ok("data/a.yaml", "---\nx: 1\n").0, json!({"x": 1}));
        assert_eq!(ok("data/a.yml", "").0, Value::Null);
    }

    #[test]
    fn yaml_keys_become_text_and_odd_values_json() {
        let text = "1: one\ntrue: yes\n~: nothing\n1.5: half\nnan: .nan\ninf: -.inf\ntagged: !secret 3\nbig: 18446744073709551615\n";
        let (value, _) = ok("data/odd.yml", text);
        assert_eq!(
            value,
            json!({"1": "one", "true": "yes", "null": "nothing", "1.5": "half", "nan": null,
                   "inf": null, "tagged": 3, "big": 18446744073709551615u64})
        );
        let d = err("data/odd.yml", "? [a, b]\n: 1\n");
        assert_eq!(d.message, "a key of this file is a list or a map, not text");
    }

    #[test]
    fn yaml_errors_are_at_their_line_and_column() {
        let d = err("data/team.yml", "name: Ada\nrole: lead: ops\n");
        assert_eq!(d.path, "data/team.yml");
        assert_eq!(d.position, Some((2, 11)));
        assert!(
            d.message
                .starts_with("not valid YAML: a value contains `: `"),
            "{d}"
        );
        let d = err("data/team.yml", "name: \"Ada\nrole: lead\n");
        assert_eq!(d.position, Some((3, 1)));
        assert_eq!(
            d.message,
            "not valid YAML: the file ends inside a quoted value or a list"
        );
        let d = err("data/team.yml", "list:\n  - a\n  b: 1\n");
        assert_eq!(d.position, Some((3, 3)));
        let d = err(
            "data/team.yml",
            "team:\n  - name: Ada\n    role: lead\n    name: Bob\n",
        );
        assert_eq!(
            d.message,
            "not valid YAML: the key `name` is written twice in one map"
        );
        assert_eq!(d.position, Some((4, 5)));
        let d = err("data/team.yml", "a: 1\n\tb: 2\n");
        assert_eq!(d.position, Some((2, 1)));
    }

    #[test]
    fn a_second_yaml_document_is_an_error_at_its_marker() {
        let d = err("data/team.yml", "# team\n---\na: 1\n---\nb: 2\n");
        assert_eq!(d.position, Some((4, 1)));
        assert!(d.message.contains("more than one YAML document"), "{d}");
        let d = err("data/team.yml", "a: 1\n--- \nb: 2\n");
        assert_eq!(d.position, Some((2, 1)));
    }

    #[test]
    fn json_keeps_nesting_lists_and_written_order() {
        let text = "{\"zeta\": [1, 2.5, null], \"alpha\": {\"y\": true, \"x\": \"t\"}}";
        let (value, _) = ok("data/a.json", text);
        assert_eq!(
            value,
            json!({"zeta": [1, 2.5, null], "alpha": {"y": true, "x": "t"}})
        );
        assert_eq!(keys(&value), ["zeta", "alpha"]);
        assert_eq!(keys(&value["alpha"]), ["y", "x"]);
        // A top-level list, after a byte order mark.
        assert_eq!(ok("data/a.json", "\u{feff}[1]").0, json!([1]));
    }

    #[test]
    fn json_errors_are_at_their_line_and_column_in_characters() {
        let d = err("data/a.json", "{\n  \"a\": 1,\n}\n");
        assert_eq!(d.message, "not valid JSON: a comma after the last item");
        assert_eq!(d.position, Some((3, 1)));
        let d = err("data/a.json", "{\"été\": été}");
        assert_eq!(
            d.message,
            "not valid JSON: a value is missing or is not JSON"
        );
        assert_eq!(d.position, Some((1, 9)));
        let d = err("data/a.json", "{\n  name: 1\n}");
        assert_eq!(d.message, "not valid JSON: a key is not in double quotes");
        assert_eq!(d.position, Some((2, 3)));
        let d = err("data/a.json", "{\"a\": [1, 2}");
        assert_eq!(d.position, Some((1, 12)));
        let d = err("data/a.json", "{\"a\": 1");
        assert_eq!(
            d.message,
            "not valid JSON: the file ends inside an object (`{ ... }`)"
        );
        assert_eq!(d.position, Some((1, 7)));
    }

    #[test]
    fn toml_keeps_tables_order_and_dates_as_text() {
        let text = "zeta = 1\nalpha = \"a\"\nwhen = 1979-05-27\nnan = nan\n\n[tools]\nci = { name = \"CI\", runs = [1, 2] }\n\n[[people]]\nname = \"Ada\"\n";
        let (value, _) = ok("data/a.toml", text);
        assert_eq!(
            value,
            json!({"zeta": 1, "alpha": "a", "when": "1979-05-27", "nan": null,
                   "tools": {"ci": {"name": "CI", "runs": [1, 2]}},
                   "people": [{"name": "Ada"}]})
        );
        assert_eq!(
            keys(&value),
            ["zeta", "alpha", "when", "nan", "tools", "people"]
        );
        assert_eq!(keys(&value["tools"]["ci"]), ["name", "runs"]);
    }

    #[test]
    fn toml_errors_are_at_their_line_and_column() {
        let d = err("data/a.toml", "name = \"Ada\"\nrole = lead\n");
        assert_eq!(d.position, Some((2, 8)));
        assert!(d.message.starts_with("not valid TOML: "), "{d}");
        let d = err("data/a.toml", "a = 1\n[t]\nx = 1\nx = 2\n");
        assert_eq!(d.position, Some((4, 1)));
        assert_eq!(d.message, "not valid TOML: duplicate key");
        let d = err("data/a.toml", "a = 1\nb = \"été\" x\n");
        assert_eq!(d.position, Some((2, 11)));
    }

    #[test]
    fn csv_rows_are_objects_keyed_by_the_header_in_its_order() {
        let text = "name,role,age\nAda,lead,36\nBob,,\nCy\n";
        let (value, _) = ok("data/team.csv", text);
        assert_eq!(
            value,
            json!([{"name": "Ada", "role": "lead", "age": "36"},
                   {"name": "Bob", "role": "", "age": ""},
                   {"name": "Cy", "role": "", "age": ""}])
        );
        assert_eq!(keys(&value[0]), ["name", "role", "age"]);
        assert_eq!(ok("data/empty.csv", "").0, json!([]));
        assert_eq!(ok("data/head.csv", "a,b\n").0, json!([]));
    }

    #[test]
    fn csv_quotes_line_ends_crlf_and_bom() {
        let text =
            "\u{feff}name,note\r\n\"Ada, Countess\",\"said \"\"hi\"\"\r\ntwice\"\r\n\r\n\"\",x\r\n";
        let (value, _) = ok("data/team.csv", text);
        assert_eq!(
            value,
            json!([{"name": "Ada, Countess", "note": "said \"hi\"\r\ntwice"},
                   {"name": "", "note": "x"}])
        );
        // No line end at the end, a quote inside a plain cell kept as written.
        let (value, _) = ok("data/a.csv", "a,b\n5\" disk,\"\"");
        assert_eq!(value, json!([{"a": "5\" disk", "b": ""}]));
    }

    #[test]
    fn csv_errors_are_at_their_line_and_column() {
        let d = err("data/a.csv", "a,b\n1,\"two\n3,4\n");
        assert_eq!(d.position, Some((2, 3)));
        assert!(d.message.starts_with("this quote is never closed"), "{d}");
        let d = err("data/a.csv", "a,b\n1,2\n\"x\ny\",2,3\n");
        assert_eq!(
            d.message,
            "this row has 3 cells, but the header (line 1) names 2 columns"
        );
        assert_eq!(d.position, Some((4, 6)));
        let d = err("data/a.csv", "a,,c\n");
        assert_eq!(d.message, "column 2 of the header has no name");
        assert_eq!(d.position, Some((1, 3)));
        let d = err("data/a.csv", "name,url,name\n");
        assert_eq!(
            d.message,
            "the column name `name` is used twice (columns 1 and 3)"
        );
        assert_eq!(d.position, Some((1, 10)));
        let d = err("data/a.csv", "a,b\n\"x\"y,2\n");
        assert_eq!(d.message, "text after the closing quote of a quoted cell");
        assert_eq!(d.position, Some((2, 4)));
    }

    #[test]
    fn links_of_yaml_are_found_at_their_value() {
        let text = "\
title: see /about/
url: /about/
team:
  - name: Ada
    home_page: '/people/ada/'
    links:
      - href: \"https://example.com/\"
  - name: Bob
    home_page: /people/bob/
    related_link: [/a/, /b/]
    profile_url: \"\"
    page: 3
";
        let (_, links) = ok("data/team.yml", text);
        assert_eq!(
            links,
            [
                link("/about/", 2, 6),
                link("/people/ada/", 5, 16),
                link("https://example.com/", 7, 15),
                link("/people/bob/", 9, 16),
                link("/a/", 10, 20),
                link("/b/", 10, 25),
            ]
        );
    }

    #[test]
    fn links_of_json_and_toml_are_found_at_their_value() {
        let text = "{\n  \"items\": [\n    {\"title\": \"/x/\", \"url\": \"/x/\"},\n    {\"URL\": \"/x/\"},\n    {\"docs_link\": \"\\/a\\/b\\/\"}\n  ]\n}\n";
        let (_, links) = ok("data/a.json", text);
        assert_eq!(
            links,
            [link("/x/", 3, 29), link("/x/", 4, 13), link("/a/b/", 5, 19)]
        );
        let text = "url = \"/home/\"\n\n[[tools]]\nname = \"CI\"\nhome_page = '/ci/'\n\n[tools.more]\nlink = \"/ci/more/\"\n";
        let (_, links) = ok("data/a.toml", text);
        assert_eq!(
            links,
            [
                link("/home/", 1, 7),
                link("/ci/", 5, 13),
                link("/ci/more/", 8, 8)
            ]
        );
    }

    #[test]
    fn links_of_csv_are_the_cells_of_link_columns() {
        let text = "name,URL,home_page,note\nAda,/ada/,\"/people/\nada/\",/x/\nBob,,/bob/,\n";
        let (_, links) = ok("data/team.csv", text);
        assert_eq!(
            links,
            [
                link("/ada/", 2, 5),
                link("/people/\nada/", 2, 11),
                link("/bob/", 4, 6),
            ]
        );
    }

    #[test]
    fn keys_follow_folders_and_names_as_written() {
        let key = |rel| key_of(rel);
        assert_eq!(key("team.yml"), Some(vec!["team".to_string()]));
        assert_eq!(key("tools/ci.json").unwrap(), ["tools", "ci"]);
        assert_eq!(key("a/b/on-call.YAML").unwrap(), ["a", "b", "on-call"]);
        assert_eq!(key("v1.2.toml").unwrap(), ["v1.2"]);
        assert_eq!(key("people.csv").unwrap(), ["people"]);
        assert_eq!(key("README.md"), None);
        assert_eq!(key("tools/notes"), None);
        assert_eq!(key("tools/.csv"), None);
    }

    fn parsed(path: &str, value: Value) -> (DataFile, Value) {
        let rel = path.strip_prefix("data/").unwrap();
        let file = DataFile {
            key: key_of(rel).unwrap(),
            path: path.to_string(),
            digest: 0,
            links: Vec::new(),
        };
        (file, value)
    }

    #[test]
    fn assemble_nests_folders_and_reports_two_files_on_one_key() {
        let mut diags = Diagnostics::default();
        let data = assemble(
            vec![
                parsed("data/tools/ci.json", json!({"name": "CI"})),
                parsed("data/team.yml", json!([1])),
                parsed("data/tools/deep/x.toml", json!({"a": 1})),
                parsed("data/team.json", json!([2])),
            ],
            &mut diags,
        );
        assert_eq!(
            data.value,
            json!({"team": [2], "tools": {"ci": {"name": "CI"}, "deep": {"x": {"a": 1}}}})
        );
        let paths: Vec<_> = data.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data/team.json",
                "data/tools/ci.json",
                "data/tools/deep/x.toml"
            ]
        );
        let problems = diags.into_sorted();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "data/team.yml");
        assert_eq!(
            problems[0].message,
            "`data/team.json` and `data/team.yml` are both `data.team`"
        );
    }

    #[test]
    fn assemble_reports_a_file_and_a_folder_of_one_name() {
        let mut diags = Diagnostics::default();
        let data = assemble(
            vec![
                parsed("data/tools/ci.json", json!(1)),
                parsed("data/tools.yml", json!(2)),
                parsed("data/toolsy.yml", json!(3)),
            ],
            &mut diags,
        );
        assert_eq!(data.value, json!({"tools": 2, "toolsy": 3}));
        let problems = diags.into_sorted();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "data/tools/ci.json");
        assert_eq!(
            problems[0].message,
            "`data/tools.yml` and `data/tools/ci.json` both need `data.tools`: the file as its value, the folder to hold its files"
        );
        // A file below one taken already, whichever comes first.
        let mut diags = Diagnostics::default();
        let mut taken = BTreeMap::new();
        taken.insert(
            vec!["a".to_string(), "b".to_string()],
            "data/a/b.yml".to_string(),
        );
        let (file, _) = parsed("data/a.yml", json!(1));
        let problem = conflict(&taken, &file).unwrap();
        assert!(
            problem
                .message
                .starts_with("`data/a.yml` and `data/a/b.yml` both need `data.a`"),
            "{problem}"
        );
        diags.push(problem);
    }

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn load_reads_every_data_file_and_reports_each_problem() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let outside = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(outside.path(), "secret: 1\n").unwrap();
        write(root, "data/team.yml", b"- name: Ada\n  url: /ada/\n");
        write(root, "data/tools/ci.json", b"{\"name\": \"CI\"}");
        write(root, "data/tools/on-call.csv", b"who,when\nAda,Mon\n");
        write(root, "data/broken.toml", b"a = \n");
        write(root, "data/latin1.yml", b"name: Andr\xe9\n");
        write(root, "data/README.md", b"# Data\n");
        write(root, "data/.DS_Store", b"\0\0\0\x01Bud1");
        std::os::unix::fs::symlink(outside.path(), root.join("data/secret.yml")).unwrap();
        let mut diags = Diagnostics::default();
        let data = load(root, &mut diags);
        assert_eq!(
            data.value,
            json!({"team": [{"name": "Ada", "url": "/ada/"}],
                   "tools": {"ci": {"name": "CI"}, "on-call": [{"who": "Ada", "when": "Mon"}]}})
        );
        let paths: Vec<_> = data.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data/team.yml",
                "data/tools/ci.json",
                "data/tools/on-call.csv"
            ]
        );
        assert_eq!(data.files[0].key, ["team"]);
        assert_eq!(data.files[0].links, [link("/ada/", 2, 8)]);
        assert_eq!(
            data.files[1].digest,
            xxhash_rust::xxh3::xxh3_64(b"{\"name\": \"CI\"}")
        );
        let problems: Vec<_> = diags
            .into_sorted()
            .into_iter()
            .map(|d| (d.path, d.position, d.message))
            .collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].0, "data/broken.toml");
        assert_eq!(problems[0].1, Some((1, 5)));
        assert_eq!(problems[1].0, "data/latin1.yml");
        assert_eq!(problems[1].1, Some((1, 11)));
        assert_eq!(problems[1].2, "the file is not valid UTF-8 text");
        assert_eq!(problems[2].0, "data/secret.yml");
        assert!(problems[2].2.contains("symbolic link"), "{problems:?}");
    }

    #[test]
    fn load_without_a_data_folder_is_empty_and_quiet() {
        let tmp = tempfile::tempdir().unwrap();
        let mut diags = Diagnostics::default();
        let data = load(tmp.path(), &mut diags);
        assert_eq!(data.value, json!({}));
        assert!(data.files.is_empty());
        assert!(diags.into_sorted().is_empty());
    }
}
