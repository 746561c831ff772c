//! The YAML, JSON and TOML data files, read into JSON values, with their problems at their
//! line and column, said for a handbook's contributor.

use crate::diagnostics::{Diagnostic, position_after, yaml_message};
use serde_json::{Map, Value};

/// One YAML document as JSON. A file of several documents (a second `---`) is an error: a data
/// file is one value, and silently dropping the rest would hide data.
pub(super) fn parse_yaml(path: &str, text: &str) -> Result<Value, Diagnostic> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|err| {
        let message = yaml_message(&err);
        if message.contains("more than one document") {
            let problem = Diagnostic::error(
                path,
                "this file holds more than one YAML document: a line `---` starts another",
            )
            .help("a data file is one document: remove the `---` line to make one of the two, or move the second document into a file of its own");
            return match second_document(text) {
                Some(line) => problem.at(line, 1),
                None => problem,
            };
        }
        let (mut line, mut col) = err
            .location()
            .map_or((1, 1), |l| (l.line(), l.column()));
        if let Some(key) = duplicate_key(&message)
            && let Some(second) = second_key(text, line, key)
        {
            (line, col) = second;
        }
        let (what, help) = yaml_problem(&message);
        Diagnostic::error(path, format!("not valid YAML: {what}"))
            .at(line, col)
            .help(help)
    })?;
    yaml_to_json(yaml).map_err(|what| {
        Diagnostic::error(path, what)
            .help("write keys as text, like `name: value`; a list or a map cannot be a key")
    })
}

/// The line of the `---` that starts a second YAML document, if there is one.
fn second_document(text: &str) -> Option<usize> {
    let mut in_document = false;
    for (i, line) in text.lines().enumerate() {
        let content = line.trim_end();
        let marker =
            content == "---" || content.starts_with("--- ") || content.starts_with("---\t");
        if marker && in_document {
            return Some(i + 1);
        }
        let blank = content.trim_start().is_empty() || content.trim_start().starts_with('#');
        in_document |= marker || !(blank || content.starts_with('%'));
    }
    None
}

/// The key of serde_yaml's "duplicate entry" message (which may start with the path to the
/// map: `team[0]: duplicate entry with key "name"`).
fn duplicate_key(message: &str) -> Option<&str> {
    const SAID: &str = "duplicate entry with key ";
    let at = message.find(SAID)?;
    Some(message[at + SAID.len()..].trim_matches('"'))
}

/// Where `key` is written a second time at the indentation of its first place on or after line
/// `from` (where serde_yaml says the map with the key twice starts).
fn second_key(text: &str, from: usize, key: &str) -> Option<(usize, usize)> {
    let mut first_col = None;
    for (i, line) in text.lines().enumerate().skip(from.saturating_sub(1)) {
        let item = line.trim_start_matches([' ', '-']);
        let col = line.len() - item.len() + 1;
        let unquoted = item
            .strip_prefix(['"', '\''])
            .and_then(|rest| rest.strip_prefix(key)?.strip_prefix(['"', '\'']));
        let after = unquoted.or_else(|| item.strip_prefix(key));
        if !after.is_some_and(|after| after.trim_start().starts_with(':')) {
            continue;
        }
        match first_col {
            None => first_col = Some(col),
            Some(first) if first == col => return Some((i + 1, col)),
            Some(_) => {}
        }
    }
    None
}

/// libyaml's wording for the common mistakes, said the way a contributor would understand it.
fn yaml_problem(message: &str) -> (String, &'static str) {
    let said = |what: &str, help| (what.to_string(), help);
    if message.contains("unexpected end of stream") {
        return said(
            "the file ends inside a quoted value or a list",
            "a closing quote (`\"` or `'`) or bracket is missing above this line",
        );
    }
    if message.contains("cannot start any token") {
        return said(
            "a line starts with a character YAML does not accept there",
            "indent with spaces, not tabs, and put values that start with `@`, `%` or a backtick in quotes",
        );
    }
    if message.contains("mapping values are not allowed") {
        return said(
            "a value contains `: `, or this line is indented under a key that has a value",
            "put a value with `: ` in quotes, like `title: \"Setup: the basics\"`; indent a line only under a key with nothing after its `:`",
        );
    }
    if message.contains("did not find expected") {
        return said(
            "this line is not indented like the lines above it",
            "indent the items of one list or map by the same number of spaces",
        );
    }
    if let Some(key) = duplicate_key(message) {
        return (
            format!("the key `{key}` is written twice in one map"),
            "keep one of the two lines",
        );
    }
    (
        message.to_string(),
        "check the quoting and indentation of this line; text with `: ` or `#` in it needs quotes",
    )
}

/// YAML to JSON: keys that are numbers, booleans or null become their text (so `1:` and `"1":`
/// are one key, the last written winning), floats that JSON cannot hold (NaN, infinities)
/// become null, tagged values (`!secret x`) their value.
fn yaml_to_json(yaml: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Mapping(map) => {
            let mut object = Map::new();
            for (key, value) in map {
                object.insert(yaml_key(key)?, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

/// The text of a mapping key, or why it has none.
fn yaml_key(key: serde_yaml::Value) -> Result<String, String> {
    use serde_yaml::Value as Yaml;
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok("null".to_string()),
        Yaml::Tagged(tagged) => yaml_key(tagged.value),
        Yaml::Sequence(_) | Yaml::Mapping(_) => {
            Err("a key of this file is a list or a map, not text".to_string())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

pub(super) fn parse_json(path: &str, text: &str) -> Result<Value, Diagnostic> {
    serde_json::from_str(text).map_err(|err| {
        // serde_json's column is the 1-based byte of the line; messages count characters.
        let line_text = text
            .split('\n')
            .nth(err.line().saturating_sub(1))
            .unwrap_or("");
        let mut before = err.column().saturating_sub(1).min(line_text.len());
        while !line_text.is_char_boundary(before) {
            before -= 1;
        }
        let col = line_text[..before].chars().count() + 1;
        let message = err.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        let (what, help) = json_problem(message);
        Diagnostic::error(path, format!("not valid JSON: {what}"))
            .at(err.line(), col)
            .help(help)
    })
}

/// serde_json's wording for the common mistakes, said the way a contributor would understand
/// it.
fn json_problem(message: &str) -> (String, &'static str) {
    let said = |what: &str, help| (what.to_string(), help);
    if message == "trailing comma" {
        return said(
            "a comma after the last item",
            "remove the comma before the closing bracket: JSON allows none there",
        );
    }
    if let Some(inside) = message.strip_prefix("EOF while parsing ") {
        return (
            format!("the file ends inside {}", a_json_thing(inside)),
            "a closing `}`, `]` or `\"` is missing",
        );
    }
    if message == "key must be a string" {
        return said(
            "a key is not in double quotes",
            "write keys in double quotes, like `\"name\": \"Ada\"`",
        );
    }
    if message.starts_with("expected `,` or") {
        return said(
            "a comma is missing, or text is not in quotes",
            "separate items with `,`, and put text in double quotes (`\"text\"`)",
        );
    }
    if message == "expected value" {
        return said(
            "a value is missing or is not JSON",
            "text must be in double quotes (`\"text\"`), and JSON has no comments",
        );
    }
    if message == "trailing characters" {
        return said(
            "more text after the end of the JSON value",
            "a JSON file holds one value: put several in a list `[...]`, or remove what follows",
        );
    }
    (
        message.to_string(),
        "check the brackets, commas and quotes of this line",
    )
}

/// What serde_json's "EOF while parsing an object" (a list, a string) was inside, in a
/// contributor's words.
fn a_json_thing(thing: &str) -> String {
    match thing {
        "an object" => "an object (`{ ... }`)".to_string(),
        "a list" => "a list (`[ ... ]`)".to_string(),
        "a string" => "a quoted text".to_string(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// TOML

pub(super) fn parse_toml(path: &str, text: &str) -> Result<Value, Diagnostic> {
    let table: toml::Table = toml::from_str(text).map_err(|err| {
        let start = err.span().map_or(0, |span| span.start.min(text.len()));
        let (line, col) = position_after(&text.as_bytes()[..start]);
        let message = err.message().lines().next().unwrap_or("").trim_end();
        let help = if message.contains("duplicate key") {
            "keep one of the two lines"
        } else {
            "check this line: text values need quotes (`name = \"Ada\"`), keys and values are separated by `=`"
        };
        Diagnostic::error(path, format!("not valid TOML: {message}"))
            .at(line, col)
            .help(help)
    })?;
    Ok(toml_to_json(toml::Value::Table(table)))
}

/// TOML to JSON: dates and times become their text (`1979-05-27`), floats that JSON cannot
/// hold (nan, inf) become null.
fn toml_to_json(toml: toml::Value) -> Value {
    match toml {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, toml_to_json(value)))
                .collect(),
        ),
    }
}
