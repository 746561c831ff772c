//! The shortcodes of `templates/shortcodes/`: each template's signature (the arguments it
//! takes, from its leading `{#- shortcode … -#}` comment), what it depends on (the templates it
//! uses, the data files it reads), and [`Expander`], which renders a page's calls with Tera for
//! the Markdown stage, checking each call against the signature first.

use super::{Templates, cause_chain};
use crate::diagnostics::{Diagnostic, suggest};
use crate::markdown::shortcodes::{Call, Expand, Expansion, Failure};
use crate::source::data::Data;
use serde_json::Value;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use xxhash_rust::xxh3::Xxh3;

/// Where shortcode templates are, under `templates/`.
pub const FOLDER: &str = "shortcodes/";

/// Stands for the body in a template's output, which is cut there: the body is the page's.
const BODY: &str = "\u{E000}handbook-body\u{E001}";
/// Stands for the label's HTML until the template has been rendered (and escaped).
const LABEL: &str = "\u{E000}handbook-label\u{E001}";

/// One shortcode: its template's signature and what the template depends on.
#[derive(Debug, Clone)]
pub struct Shortcode {
    /// `templates/shortcodes/name.html`, as shown in messages.
    pub path: String,
    /// `None` for a template without a signature: any argument, label and body is taken.
    pub signature: Option<Signature>,
    /// The template's text and that of every template it uses.
    pub digest: u64,
    /// The data files it reads: `None` for all of them (it uses `data` otherwise than as
    /// `data.name`), else their first keys.
    pub data: Option<BTreeSet<String>>,
}

/// What a shortcode takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    pub args: Vec<Param>,
    pub body: Presence,
    pub label: Presence,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Presence {
    #[default]
    None,
    Optional,
    Required,
}

/// One argument of a signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub kind: Kind,
    pub required: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    Boolean,
    /// The name of a data file (`team`, `tools.ci`): the template gets its content.
    Data,
    OneOf(Vec<String>),
}

impl Kind {
    fn describe(&self) -> String {
        match self {
            Kind::Text => "text".into(),
            Kind::Number => "number".into(),
            Kind::Boolean => "true | false".into(),
            Kind::Data => "data file".into(),
            Kind::OneOf(choices) => choices.join(" | "),
        }
    }
}

/// Every shortcode template's signature and dependencies, by shortcode name; the problems of
/// signatures that cannot be read.
pub fn shortcodes(
    sources: &BTreeMap<String, String>,
    shown: &dyn Fn(&str) -> String,
) -> (BTreeMap<String, Shortcode>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut all = BTreeMap::new();
    for (name, text) in sources {
        let Some(short) = name
            .strip_prefix(FOLDER)
            .and_then(|n| n.strip_suffix(".html"))
        else {
            continue;
        };
        let path = shown(name);
        let signature = match signature(text) {
            Ok(signature) => signature,
            Err((line, message)) => {
                problems.push(
                    Diagnostic::error(path.clone(), message)
                        .at(line, 1)
                        .help(SIGNATURE_HELP),
                );
                None
            }
        };
        let used = used_templates(sources, name);
        let mut hasher = Xxh3::new();
        let mut data = Some(BTreeSet::new());
        // An argument named `data` hides the data files: the template reads only the one the
        // argument names (a dependency of the call).
        let data_argument = signature
            .iter()
            .flat_map(|s| &s.args)
            .any(|p| p.name == "data");
        for used in &used {
            let text = &sources[used.as_str()];
            hasher.update(used.as_bytes());
            hasher.update(text.as_bytes());
            let read = match data_argument {
                true => Some(BTreeSet::new()),
                false => data_read(text),
            };
            data = match (data, read) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    Some(a)
                }
                _ => None,
            };
        }
        all.insert(
            short.to_string(),
            Shortcode {
                path,
                signature,
                digest: hasher.digest(),
                data,
            },
        );
    }
    (all, problems)
}

const SIGNATURE_HELP: &str = "a signature is one line per argument after `{#- shortcode`: `name: text`, `number`, `boolean`, `data` or `a | b | c`, then `, optional` or `, default VALUE`; and `body:` or `label:` as `none`, `markdown` or `markdown, optional` (see docs/shortcodes.md)";

/// `name` and every template it includes, imports or extends, directly or not.
fn used_templates(sources: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    let mut seen = vec![name.to_string()];
    let mut i = 0;
    while i < seen.len() {
        if let Some(text) = sources.get(&seen[i]) {
            for next in super::referenced_templates(text) {
                if sources.contains_key(&next) && !seen.contains(&next) {
                    seen.push(next);
                }
            }
        }
        i += 1;
    }
    seen.retain(|n| sources.contains_key(n));
    seen
}

/// The data files a template's text reads: `data.team`, `data["team"]`; `None` when it uses
/// `data` any other way (`data[name]`, `data | …`), which may read any. Only the template's
/// tags count (`{{ … }}`, `{% … %}`), not its HTML (`data-theme`).
pub fn data_read(text: &str) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{']) {
        let after = &rest[open + 1..];
        let close = match after.as_bytes().first() {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let end = after.find(close).unwrap_or(after.len());
        names.append(&mut data_read_in(&after[1..end])?);
        rest = &after[end..];
    }
    Some(names)
}

/// [`data_read`] in the text of one tag.
fn data_read_in(text: &str) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices("data") {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
            continue;
        }
        let rest = &text[i + 4..];
        if rest
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            continue;
        }
        let name = if let Some(r) = rest.strip_prefix('.') {
            r.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
        } else if let Some(r) = rest.strip_prefix("[\"").or_else(|| rest.strip_prefix("['")) {
            r.split(['"', '\'']).next()
        } else {
            None
        };
        match name.filter(|n| !n.is_empty()) {
            Some(name) => names.insert(name.to_string()),
            None => return None,
        };
    }
    Some(names)
}

/// The signature in a template's leading `{#- shortcode … -#}` comment, if it has one; or the
/// line and problem of one that cannot be read.
fn signature(text: &str) -> Result<Option<Signature>, (usize, String)> {
    let trimmed = text.trim_start();
    let skipped = text[..text.len() - trimmed.len()].matches('\n').count();
    let Some(comment) = trimmed
        .strip_prefix("{#")
        .map(|c| c.strip_prefix('-').unwrap_or(c))
    else {
        return Ok(None);
    };
    let Some(body) = comment.trim_start().strip_prefix("shortcode") else {
        return Ok(None);
    };
    let end = body.find("#}").ok_or((
        skipped + 1,
        "the signature comment is never closed".to_string(),
    ))?;
    let body = body[..end].trim_end_matches('-');
    let mut signature = Signature::default();
    for (n, line) in body.lines().enumerate().skip(1) {
        let line_no = skipped + 1 + n;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, spec) = line.split_once(':').ok_or((
            line_no,
            format!("cannot read `{line}`: expected `name: type`"),
        ))?;
        let (name, spec) = (name.trim(), spec.trim());
        let mut parts = spec.splitn(2, ',');
        let kind = parts.next().unwrap_or("").trim();
        let extra = parts.next().map(str::trim);
        if name == "body" || name == "label" {
            let presence = match (kind, extra) {
                ("none", None) => Presence::None,
                ("markdown" | "text", None) => Presence::Required,
                ("markdown" | "text", Some("optional")) => Presence::Optional,
                _ => {
                    return Err((
                        line_no,
                        format!(
                            "cannot read `{line}`: `{name}` is `none`, `markdown` or `markdown, optional`"
                        ),
                    ));
                }
            };
            match name {
                "body" => signature.body = presence,
                _ => signature.label = presence,
            }
            continue;
        }
        let kind = match kind {
            "text" => Kind::Text,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "data" => Kind::Data,
            k if k.contains('|') => {
                Kind::OneOf(k.split('|').map(|c| c.trim().to_string()).collect())
            }
            k => {
                return Err((
                    line_no,
                    format!(
                        "unknown type `{k}` for `{name}`: use text, number, boolean, data or `a | b | c`"
                    ),
                ));
            }
        };
        let (required, default) = match extra {
            None => (true, None),
            Some("optional") => (false, None),
            Some(d) if d.starts_with("default ") => {
                let value = d["default ".len()..].trim().trim_matches('"').to_string();
                (false, Some(value))
            }
            Some(other) => {
                return Err((
                    line_no,
                    format!(
                        "cannot read `{other}` for `{name}`: write `optional` or `default VALUE`"
                    ),
                ));
            }
        };
        signature.args.push(Param {
            name: name.to_string(),
            kind,
            required,
            default,
        });
    }
    Ok(Some(signature))
}

impl Signature {
    /// How a call is written, for messages: `::video{youtube: text?, title: text}`.
    pub fn usage(&self, name: &str) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|p| {
                let mut s = format!("{}: {}", p.name, p.kind.describe());
                match (&p.default, p.required) {
                    (Some(d), _) => s.push_str(&format!(" = {d}")),
                    (None, false) => s.push('?'),
                    _ => {}
                }
                s
            })
            .collect();
        let label = match self.label {
            Presence::None => "",
            Presence::Optional => "[label?]",
            Presence::Required => "[label]",
        };
        let braces = if args.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", args.join(", "))
        };
        match self.body {
            Presence::None => format!("::{name}{label}{braces}"),
            _ => format!(":::{name}{label}{braces} … :::"),
        }
    }
}

/// A page's facts that its shortcodes see as `page`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PageFacts<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// Renders a page's calls with the site's shortcode templates.
pub struct Expander<'a> {
    pub templates: &'a Templates,
    pub data: &'a Data,
    pub page: PageFacts<'a>,
    /// Calls rendered so far on the page.
    nth: Cell<usize>,
}

impl<'a> Expander<'a> {
    pub fn new(templates: &'a Templates, data: &'a Data, page: PageFacts<'a>) -> Self {
        Expander {
            templates,
            data,
            page,
            nth: Cell::new(0),
        }
    }

    fn unknown(&self, name: &str) -> Failure {
        let names: Vec<&str> = self
            .templates
            .shortcodes
            .keys()
            .map(String::as_str)
            .collect();
        let mut help = match suggest(name, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        help.push_str(&format!(
            "the shortcodes are {}; a new one is a template `templates/shortcodes/{name}.html`. To write the call as text, put a backslash before its first colon",
            names.join(", ")
        ));
        Failure {
            message: format!("there is no shortcode `{name}`"),
            help,
            template: None,
        }
    }
}

impl Expand for Expander<'_> {
    fn expand(&self, call: &Call<'_>) -> Result<Expansion, Failure> {
        let shortcode = self
            .templates
            .shortcodes
            .get(call.name)
            .ok_or_else(|| self.unknown(call.name))?;
        let mut context = tera::Context::new();
        // First: an argument may be called `data` too (`::table{data="tools"}`).
        if shortcode.data.as_ref().is_none_or(|d| !d.is_empty()) {
            context.insert("data", &self.data.value);
        }
        match &shortcode.signature {
            Some(signature) => check(signature, call, self.data, &mut context)?,
            None => {
                for (k, v) in &call.args {
                    context.insert(k.as_str(), v);
                }
            }
        }
        let n = self.nth.get() + 1;
        self.nth.set(n);
        context.insert("nth", &n);
        context.insert("page", &self.page);
        context.insert("body", if call.body { BODY } else { "" });
        let (label, label_text) = call
            .label
            .as_ref()
            .map_or(("", ""), |(_, text)| (LABEL, text.as_str()));
        context.insert("label", label);
        context.insert("label_text", label_text);
        let template = format!("{FOLDER}{}.html", call.name);
        let html = self
            .templates
            .tera
            .render(&template, &context)
            .map_err(|err| self.runtime_failure(shortcode, &template, &err))?;
        let html = match &call.label {
            Some((label_html, _)) => html.replace(LABEL, label_html),
            None => html,
        };
        if !call.body {
            return Ok(Expansion::Whole(html));
        }
        let mut parts = html.split(BODY);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(before), Some(after), None) => {
                Ok(Expansion::Around(before.to_string(), after.to_string()))
            }
            _ => Err(Failure {
                message: format!(
                    "the template of `{}` must show the body once, with `{{{{ body }}}}`",
                    call.name
                ),
                help: "a call with a body (`:::name` … `:::`) shows it where the template writes `{{ body }}`".into(),
                template: Some((shortcode.path.clone(), 0)),
            }),
        }
    }
}

impl Expander<'_> {
    /// A template that fails while rendering: its line where Tera names what failed.
    fn runtime_failure(&self, shortcode: &Shortcode, template: &str, err: &tera::Error) -> Failure {
        let message = cause_chain(err);
        // `{{ throw(message="…") }}`: the template says what is wrong with the call.
        if let Some((_, thrown)) = message.split_once("Function call 'throw' failed: ") {
            return Failure {
                message: thrown.to_string(),
                help: format!(
                    "see how `{}` is called in docs/shortcodes.md",
                    template
                        .trim_start_matches(FOLDER)
                        .trim_end_matches(".html")
                ),
                template: None,
            };
        }
        // What Tera names in quotes (`p.nme`, 'nope'), found in the template's text.
        let text = self
            .templates
            .sources
            .get(template)
            .map_or("", |s| s.1.as_str());
        let quoted = message
            .split('`')
            .skip(1)
            .step_by(2)
            .chain(message.split('\'').skip(1).step_by(2))
            .filter(|q| !q.is_empty() && !self.templates.sources.contains_key(*q));
        let line = quoted
            .filter_map(|q| text.find(q))
            .map(|at| text[..at].matches('\n').count() + 1)
            .next()
            .unwrap_or(0);
        Failure {
            message: format!("the shortcode's template failed: {message}"),
            help: "fix the template, or the call's arguments if the template needs another one"
                .into(),
            template: Some((shortcode.path.clone(), line)),
        }
    }
}

/// Checks a call against its shortcode's signature, and puts its arguments (typed, with their
/// defaults) into `context`.
fn check(
    signature: &Signature,
    call: &Call<'_>,
    data: &Data,
    context: &mut tera::Context,
) -> Result<(), Failure> {
    let usage = signature.usage(call.name);
    let fail = |message: String| Failure {
        message,
        help: format!("`{}` is called as {usage}", call.name),
        template: None,
    };
    for (key, value) in &call.args {
        let Some(param) = signature.args.iter().find(|p| &p.name == key) else {
            let names = signature.args.iter().map(|p| p.name.as_str());
            let near = suggest(key, names)
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(fail(format!(
                "`{}` has no argument `{key}`{near}",
                call.name
            )));
        };
        let typed = typed(&param.kind, value, data)
            .map_err(|why| fail(format!("`{key}` of `{}` {why}", call.name)))?;
        context.insert(key.as_str(), &typed);
    }
    for param in &signature.args {
        if call.args.iter().any(|(k, _)| *k == param.name) {
            continue;
        }
        match &param.default {
            Some(default) => {
                let typed =
                    typed(&param.kind, default, data).unwrap_or(Value::String(default.clone()));
                context.insert(param.name.as_str(), &typed);
            }
            None if param.required => {
                return Err(fail(format!(
                    "`{}` needs the argument `{}`",
                    call.name, param.name
                )));
            }
            None => {}
        }
    }
    match (signature.body, call.body) {
        (Presence::None, true) => {
            return Err(fail(format!(
                "`{}` takes no body: write it on one line, `::{}{{…}}`",
                call.name, call.name
            )));
        }
        (Presence::Required, false) => {
            return Err(fail(format!(
                "`{}` needs a body: write `:::{}` on a line, the body, then `:::`",
                call.name, call.name
            )));
        }
        _ => {}
    }
    match (signature.label, call.label.is_some()) {
        (Presence::None, true) => Err(fail(format!("`{}` takes no label in brackets", call.name))),
        (Presence::Required, false) => {
            Err(fail(format!("`{}` needs a label in brackets", call.name)))
        }
        _ => Ok(()),
    }
}

/// `value` as the type `kind` says, or why it is not one.
fn typed(kind: &Kind, value: &str, data: &Data) -> Result<Value, String> {
    match kind {
        Kind::Text => Ok(Value::String(value.to_string())),
        Kind::Number => value
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| value.parse::<f64>().map(Value::from))
            .map_err(|_| format!("must be a number, not `{value}`")),
        Kind::Boolean => match value {
            "true" | "yes" => Ok(Value::Bool(true)),
            "false" | "no" => Ok(Value::Bool(false)),
            _ => Err(format!("must be `true` or `false`, not `{value}`")),
        },
        Kind::OneOf(choices) => match choices.iter().any(|c| c == value) {
            true => Ok(Value::String(value.to_string())),
            false => Err(format!(
                "must be one of {}, not `{value}`",
                choices.join(", ")
            )),
        },
        Kind::Data => {
            let mut at = &data.value;
            for part in value.split(['.', '/']) {
                at = at.get(part).ok_or_else(|| {
                    let names: Vec<String> = data.files.iter().map(|f| f.key.join(".")).collect();
                    match names.is_empty() {
                        true => format!("names the data file `{value}`, but `data/` has no data files"),
                        false => format!("names the data file `{value}`, which does not exist (the data files are {})", names.join(", ")),
                    }
                })?;
            }
            Ok(at.clone())
        }
    }
}

/// A digest of what a page's `calls` ([`crate::source::SourcePage::calls`]) depend on: the
/// templates of the shortcodes it calls and the data files they read. Equal digests, equal
/// expansions.
pub fn dependencies(
    templates: &Templates,
    data: &Data,
    calls: &[(String, Vec<(String, String)>)],
) -> u64 {
    if calls.is_empty() {
        return 0;
    }
    let mut hasher = Xxh3::new();
    let mut keys = BTreeSet::new();
    let mut all_data = false;
    for (name, args) in calls {
        hasher.update(name.as_bytes());
        let Some(shortcode) = templates.shortcodes.get(name.as_str()) else {
            hasher.update(b"\0unknown");
            continue;
        };
        hasher.update(&shortcode.digest.to_le_bytes());
        match &shortcode.data {
            Some(read) => keys.extend(read.iter().cloned()),
            None => all_data = true,
        }
        // A data file named by an argument (`data="tools"`).
        let params = shortcode.signature.iter().flat_map(|s| &s.args);
        for param in params.filter(|p| p.kind == Kind::Data) {
            let value = args
                .iter()
                .find(|(k, _)| *k == param.name)
                .map(|(_, v)| v.as_str())
                .or(param.default.as_deref());
            match value.and_then(|v| v.split(['.', '/']).next()) {
                Some(first) => {
                    keys.insert(first.to_string());
                }
                None => all_data = true,
            }
        }
    }
    for file in &data.files {
        if all_data || file.key.first().is_some_and(|k| keys.contains(k)) {
            hasher.update(file.path.as_bytes());
            hasher.update(&file.digest.to_le_bytes());
        }
    }
    hasher.digest()
}
