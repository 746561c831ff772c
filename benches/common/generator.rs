//! The synthetic handbooks of the benchmarks: 1,000 and 10,000 pages of Markdown generated
//! deterministically under `target/bench-sites/`. Shared by `benches/build.rs` and
//! `benches/serve.rs`, each of which includes this file with `#[path]`.
//!
//! No random crate: the content comes from an LCG seeded by page number, so every run
//! generates byte-identical sites. Bump [`GENERATOR_VERSION`] whenever the generator changes
//! so that the cached sites are regenerated.

// Each bench uses a different part of it.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Written to `<site>/.generator-version`; a site whose marker differs is regenerated.
pub const GENERATOR_VERSION: &str = "handbook-bench-generator 2";
pub const MARKER_FILE: &str = ".generator-version";

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/// Knuth's MMIX LCG; the high bits are good enough for picking words.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Self {
        let mut lcg = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03);
        lcg.next();
        lcg
    }

    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// 0..n
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// lo..=hi
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

pub const SECTIONS: [&str; 10] = [
    "engineering",
    "product",
    "marketing",
    "sales",
    "people",
    "finance",
    "legal",
    "security",
    "support",
    "operations",
];
pub const SUBSECTIONS: [&str; 10] = [
    "onboarding",
    "processes",
    "tooling",
    "policies",
    "runbooks",
    "planning",
    "meetings",
    "reporting",
    "hiring",
    "reference",
];
const SUBCATEGORIES: [&str; 3] = ["Runbooks", "Reference", "How-to guides"];

const TOPICS: &[&str] = &[
    "Incident",
    "Release",
    "Vendor",
    "Quarterly",
    "Access",
    "Budget",
    "Hiring",
    "Security",
    "Customer",
    "Data",
    "Onboarding",
    "Travel",
    "Expense",
    "Roadmap",
    "Feedback",
    "Deployment",
    "Backup",
    "Offboarding",
    "Compliance",
    "Pricing",
];
const NOUNS: &[&str] = &[
    "Process",
    "Guide",
    "Checklist",
    "Policy",
    "Runbook",
    "Playbook",
    "Review",
    "Workflow",
    "Standards",
    "Handover",
];
const SYSTEMS: &[&str] = &[
    "Billing",
    "Search",
    "Payments",
    "the API",
    "Mobile",
    "the Warehouse",
    "Identity",
    "Notifications",
    "the Hub",
    "the CRM",
    "Analytics",
    "the Website",
];
const TEAMS: &[&str] = &[
    "platform",
    "data",
    "growth",
    "people ops",
    "finance",
    "security",
    "support",
    "design",
    "infrastructure",
    "developer experience",
];
const TOOLS: &[&str] = &[
    "Jira",
    "Linear",
    "GitHub",
    "Notion",
    "PagerDuty",
    "Okta",
    "Terraform",
    "Datadog",
    "Lattice",
    "Zendesk",
    "Snowflake",
    "1Password",
];
const ROLES: &[&str] = &[
    "engineering manager",
    "head of operations",
    "team lead",
    "release owner",
    "on-call engineer",
    "budget owner",
    "security officer",
    "people partner",
];
const CHANNELS: &[&str] = &[
    "announcements",
    "eng-help",
    "incidents",
    "ops",
    "product",
    "random-requests",
    "deploys",
    "security",
    "finance-help",
    "people-questions",
];
const SERVICES: &[&str] = &[
    "billing",
    "search",
    "gateway",
    "ledger",
    "notifier",
    "ingest",
    "scheduler",
    "auth",
    "reports",
    "webhooks",
    "catalog",
    "exporter",
];
const ENVS: &[&str] = &["staging", "production", "sandbox", "eu-west", "us-east"];

/// H2 headings. "Overview" is always the first one, so its id is `overview`.
const H2S: &[&str] = &[
    "Purpose",
    "Scope",
    "Process",
    "Responsibilities",
    "Tools and access",
    "Escalation",
    "Checklist",
    "Metrics & reporting",
    "FAQ",
    "Timeline",
    "Roles",
    "Review cadence",
    "Getting help",
    "Known issues",
];
/// H3 headings; repeats inside one page get `-1`, `-2`... ids. Disjoint from `H2S` except
/// "Overview", which as an H3 always follows the H2 "Overview".
const H3S: &[&str] = &[
    "Overview",
    "Details",
    "Example",
    "Notes",
    "Prerequisites",
    "Steps",
    "Exceptions",
    "Ownership",
];

const SENTENCES: &[&str] = &[
    "The {team} team owns this process and reviews it every {days} days.",
    "Changes to {system} must be announced in `#{channel}` at least {n} hours in advance.",
    "If you are unsure, ask in the `#{channel}` channel on Slack before you start.",
    "We track this work in {tool}, using the `{label}` label so that it shows up in the weekly triage.",
    "Each quarter the {role} checks that the steps below still match how we actually work.",
    "Most requests are resolved within {n} business days; anything older is escalated to the {role}.",
    "Keep the description short: what changed, why, and how to roll it back.",
    "This page is the **single source of truth**; if it disagrees with a document elsewhere, update the other document.",
    "Async communication is the default, so write things down in the issue rather than in a private message.",
    "For {system}, the {role} is the first point of contact during business hours.",
    "A change is considered _done_ when it is merged, deployed to {env}, and documented here.",
    "Use the template in {tool} so that reviewers find the information in the same place every time.",
    "The checklist below takes about {n} minutes for a first-time contributor.",
    "Budget owners approve spend above ${amount} before the purchase order is raised.",
    "We review the metrics for {system} weekly and share a summary with the {team} team.",
    "Exceptions are possible, but they need written approval from the {role} and a follow-up issue.",
    "New team members pair with a buddy from the {team} team for their first {n} weeks.",
    "Data older than {days} days is archived to cold storage and can be restored on request.",
    "Prefer small, reversible changes over large ones; they are easier to review and to roll back.",
    "When in doubt, optimise for transparency: public by default, private only when necessary.",
    "Incidents affecting {system} are declared by anyone who notices them, not only by the {role}.",
    "Document the decision, the alternatives considered, and who was consulted.",
    "The {role} publishes the schedule at the start of each month in `#{channel}`.",
    "Access to {system} is granted through {tool} and reviewed every {days} days.",
    "Links to the relevant dashboards are pinned in `#{channel}`, next to the current on-call rota.",
    "Version `{version}` introduced the current behaviour; older notes are kept in the changelog.",
];

const LIST_ITEMS: &[&str] = &[
    "Open an issue in {tool} and assign it to yourself",
    "Confirm the change with the {role}",
    "Update the runbook for {system} if anything changed",
    "Post a summary in `#{channel}`",
    "Check the {system} dashboard for errors over the last {n} minutes",
    "Rotate any credentials that were shared during the work",
    "Add the `{label}` label and link the related pull request",
    "Schedule a short review with the {team} team",
    "Record the decision and its owner in the meeting notes",
    "Verify that the backup from {env} completed in the last {days} days",
    "Close the issue once the follow-up tasks are done",
];

// ---------------------------------------------------------------------------------------------
// Site shape
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub struct Shape {
    /// Pages in total, landing pages (`index.md`) included.
    pub pages: usize,
    pub sections: usize,
    pub subsections: usize,
}

impl Shape {
    /// Every page but the home page's and the section's in one folder: what makes a sidebar
    /// list long.
    pub fn one_folder(pages: usize) -> Shape {
        Shape {
            pages,
            sections: 1,
            subsections: 1,
        }
    }

    pub fn for_pages(pages: usize) -> Shape {
        match pages {
            10_000 => Shape {
                pages,
                sections: 10,
                subsections: 10,
            },
            _ => Shape {
                pages,
                sections: 5,
                subsections: 2,
            },
        }
    }
}

/// One ordinary page: `content/<section>/<sub>/page-<g>.md`.
#[derive(Clone, Copy)]
pub struct PageRef {
    /// Global page number (1-based), the seed of everything about the page.
    pub g: usize,
    pub section: usize,
    pub sub: usize,
    /// Position inside its subsection (0-based).
    pub local: usize,
}

impl PageRef {
    pub fn url(&self) -> String {
        format!(
            "/{}/{}/page-{}/",
            SECTIONS[self.section], SUBSECTIONS[self.sub], self.g
        )
    }
}

/// Seeds for independent per-page streams, so titles and headings of any page can be
/// recomputed (for links to it) without generating its body.
const SEED_TITLE: u64 = 1;
const SEED_HEADINGS: u64 = 2;
const SEED_BODY: u64 = 3;
const SEED_BROKEN: u64 = 4;

fn seed(g: usize, stream: u64) -> Lcg {
    Lcg::new((g as u64) << 4 | stream)
}

pub fn page_title(g: usize) -> String {
    let mut r = seed(g, SEED_TITLE);
    format!(
        "{} {} for {}",
        r.pick(TOPICS),
        r.pick(NOUNS),
        r.pick(SYSTEMS)
    )
}

/// The H2 headings of page `g`, in order; the first one is always "Overview".
fn page_h2s(g: usize) -> Vec<&'static str> {
    let mut r = seed(g, SEED_HEADINGS);
    let count = r.range(3, 5);
    let mut pool: Vec<&'static str> = H2S.to_vec();
    let mut out = vec!["Overview"];
    for _ in 1..count {
        let i = r.below(pool.len());
        out.push(pool.swap_remove(i));
    }
    out
}

/// The id the handbook gives a heading (GitHub rules: lower-case, punctuation dropped,
/// every space a `-`). Enough for the ASCII headings generated here.
fn slug(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Page generation
// ---------------------------------------------------------------------------------------------

struct Gen<'a> {
    r: Lcg,
    g: usize,
    all: &'a [PageRef],
}

impl Gen<'_> {
    fn fill(&mut self, template: &str) -> String {
        let mut s = template.to_string();
        let pairs: [(&str, String); 12] = [
            ("{team}", self.r.pick(TEAMS).to_string()),
            ("{system}", self.r.pick(SYSTEMS).to_string()),
            ("{tool}", self.r.pick(TOOLS).to_string()),
            ("{role}", self.r.pick(ROLES).to_string()),
            ("{channel}", self.r.pick(CHANNELS).to_string()),
            ("{env}", self.r.pick(ENVS).to_string()),
            (
                "{label}",
                format!("{}::{}", self.r.pick(SERVICES), self.r.range(1, 9)),
            ),
            ("{days}", (self.r.range(1, 12) * 15).to_string()),
            ("{n}", self.r.range(2, 48).to_string()),
            ("{amount}", (self.r.range(1, 40) * 250).to_string()),
            (
                "{version}",
                format!(
                    "{}.{}.{}",
                    self.r.range(1, 4),
                    self.g % 40,
                    self.r.below(10)
                ),
            ),
            ("{g}", self.g.to_string()),
        ];
        for (key, value) in &pairs {
            if s.contains(key) {
                s = s.replace(key, value);
            }
        }
        s
    }

    fn other_page(&mut self) -> PageRef {
        loop {
            let p = *self.r.pick(self.all);
            if p.g != self.g {
                return p;
            }
        }
    }

    fn internal_link(&mut self) -> String {
        let p = self.other_page();
        let title = page_title(p.g);
        if self.r.chance(50) {
            let h2s = page_h2s(p.g);
            let h = h2s[self.r.below(h2s.len())];
            format!(
                "[{} in {}]({}#{})",
                h.to_lowercase(),
                title,
                p.url(),
                slug(h)
            )
        } else {
            format!("[{}]({})", title, p.url())
        }
    }

    fn external_link(&mut self) -> String {
        match self.r.below(4) {
            0 => "[RFC 2119](https://www.rfc-editor.org/rfc/rfc2119)".to_string(),
            1 => format!(
                "[issue #{}](https://github.com/example-org/{}/issues/{})",
                self.g % 900 + 100,
                self.r.pick(SERVICES),
                self.g % 900 + 100
            ),
            2 => format!(
                "the [{} documentation](https://docs.example.org/{}/v{}/)",
                self.r.pick(TOOLS),
                self.r.pick(SERVICES),
                self.r.range(1, 5)
            ),
            _ => "<https://status.example.com>".to_string(),
        }
    }

    fn sentence(&mut self) -> String {
        let t = *self.r.pick(SENTENCES);
        self.fill(t)
    }

    fn paragraph(&mut self, sentences: usize, links: bool) -> String {
        let mut p = String::new();
        let mut used = Vec::with_capacity(sentences);
        while used.len() < sentences {
            let i = self.r.below(SENTENCES.len());
            if used.contains(&i) {
                continue;
            }
            used.push(i);
            if !p.is_empty() {
                p.push(' ');
            }
            p.push_str(&self.fill(SENTENCES[i]));
        }
        if links {
            match self.r.below(3) {
                0 => write!(p, " See {} for the related steps.", self.internal_link()).unwrap(),
                1 => write!(p, " More background is in {}.", self.internal_link()).unwrap(),
                _ => write!(p, " The wording follows {}.", self.external_link()).unwrap(),
            }
        }
        p.push_str("\n\n");
        p
    }

    fn list(&mut self, ordered: bool) -> String {
        let mut out = String::new();
        let n = self.r.range(3, 6);
        for i in 0..n {
            let t = *self.r.pick(LIST_ITEMS);
            let mut item = self.fill(t);
            if self.r.chance(20) {
                write!(item, " (see {})", self.internal_link()).unwrap();
            }
            if ordered {
                writeln!(out, "{}. {item}.", i + 1).unwrap();
            } else {
                writeln!(out, "- {item}.").unwrap();
            }
        }
        out.push('\n');
        out
    }

    fn table(&mut self) -> String {
        let mut out =
            String::from("| Owner | Task | Cadence | Target |\n| --- | --- | --- | ---: |\n");
        for _ in 0..self.r.range(3, 6) {
            writeln!(
                out,
                "| {} | {} {} | every {} days | {}% |",
                self.r.pick(ROLES),
                self.r.pick(TOPICS),
                self.r.pick(NOUNS).to_lowercase(),
                self.r.range(1, 12) * 7,
                self.r.range(80, 99)
            )
            .unwrap();
        }
        out.push('\n');
        out
    }

    fn code_block(&mut self) -> String {
        let g = self.g;
        let svc = *self.r.pick(SERVICES);
        let env = *self.r.pick(ENVS);
        let lines = self.r.range(5, 15);
        let (lang, body) = match self.r.below(7) {
            0 => ("bash", self.bash(svc, env, lines)),
            1 => ("yaml", self.yaml(svc, env, lines)),
            2 => ("python", self.python(svc, lines)),
            3 => ("rust", self.rust(svc, lines)),
            4 => ("json", self.json(svc, env, lines)),
            5 => ("sql", self.sql(svc, lines)),
            _ => ("toml", self.toml(svc, env, lines)),
        };
        debug_assert!(
            body.lines().count() >= 5 && body.lines().count() <= 15,
            "{g}"
        );
        format!("```{lang}\n{body}```\n\n")
    }

    fn bash(&mut self, svc: &str, env: &str, lines: usize) -> String {
        let g = self.g;
        let mut out = format!("#!/usr/bin/env bash\nset -euo pipefail\nexport SERVICE={svc}-{g}\n");
        for i in 3..lines {
            let v = format!("{}.{}.{}", g % 7 + 1, (g + i) % 30, self.r.below(10));
            let line = match self.r.below(8) {
                0 => format!("kubectl -n {env} rollout restart deployment/\"$SERVICE\""),
                1 => format!("git checkout -b release/{v}"),
                2 => format!(
                    "curl -fsS https://{svc}.{env}.example.com:{}/healthz",
                    8000 + g % 1000
                ),
                3 => format!("make deploy ENV={env} VERSION={v}"),
                4 => format!("# step {}: verify the {svc} rollout in {env}", i - 2),
                5 => format!("aws s3 cp s3://bench-{svc}-{env}/backup-{g}-{i}.tar.gz ./restore/"),
                6 => format!(
                    "psql \"$DATABASE_URL\" -c 'select count(*) from {svc}_events_{}'",
                    g % 97
                ),
                _ => format!("echo \"{svc} {v} deployed to {env} by ${{USER}}\" >> deploy-{g}.log"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn yaml(&mut self, svc: &str, env: &str, lines: usize) -> String {
        let g = self.g;
        let mut out = format!(
            "service: {svc}-{g}\nenvironment: {env}\nreplicas: {}\nresources:\n  cpu: \"{}m\"\n",
            self.r.range(1, 12),
            self.r.range(1, 16) * 125
        );
        let mut n = 5;
        if n < lines {
            out.push_str("alerts:\n");
            n += 1;
        }
        let mut k = 0;
        while n + 2 <= lines {
            writeln!(
                out,
                "  - name: {svc}_latency_p{}_{}",
                [50, 90, 95, 99][k % 4],
                g % 1000 + k
            )
            .unwrap();
            writeln!(out, "    threshold_ms: {}", self.r.range(50, 2000)).unwrap();
            n += 2;
            k += 1;
        }
        if n < lines {
            writeln!(out, "owner: {}", self.r.pick(TEAMS)).unwrap();
        }
        out
    }

    fn python(&mut self, svc: &str, lines: usize) -> String {
        let g = self.g;
        let mut out = format!(
            "def reconcile_{svc}_{g}(records, limit={}):\n    \"\"\"Reconcile {svc} records for page {g}.\"\"\"\n    seen = set()\n",
            self.r.range(10, 5000)
        );
        // Lines so far; the loop fills up to `lines - 1` (lines >= 5, so it has a body).
        let mut n = 3;
        let last = lines - 1;
        {
            out.push_str("    for record in records[:limit]:\n");
            n += 1;
            let mut i = 0;
            while n < last {
                if i % 3 == 0 && n + 2 <= last {
                    writeln!(
                        out,
                        "        if record.get(\"{svc}_id\") in seen:\n            continue"
                    )
                    .unwrap();
                    n += 2;
                } else if i % 3 == 1 {
                    writeln!(out, "        seen.add(record[\"{svc}_id\"])").unwrap();
                    n += 1;
                } else {
                    writeln!(
                        out,
                        "        total_{i} = len(seen) * {}",
                        self.r.range(2, 99)
                    )
                    .unwrap();
                    n += 1;
                }
                i += 1;
            }
        }
        writeln!(out, "    return len(seen) + {}", g % 101).unwrap();
        out
    }

    fn rust(&mut self, svc: &str, lines: usize) -> String {
        let g = self.g;
        let mut out = format!(
            "/// Budget check for {svc} (page {g}).\npub fn {svc}_budget_{g}(items: &[u64]) -> u64 {{\n    let cap = {}_u64;\n",
            self.r.range(100, 100_000)
        );
        let mut n = 3;
        while n + 2 < lines {
            writeln!(
                out,
                "    let step_{n} = items.iter().filter(|&&x| x % {} == {}).count() as u64;",
                self.r.range(2, 17),
                self.r.below(2)
            )
            .unwrap();
            n += 1;
        }
        out.push_str("    items.iter().copied().filter(|&x| x < cap).sum()\n}\n");
        out
    }

    fn json(&mut self, svc: &str, env: &str, lines: usize) -> String {
        let g = self.g;
        let mut fields = vec![
            format!("\"service\": \"{svc}-{g}\""),
            format!("\"environment\": \"{env}\""),
            format!("\"page\": {g}"),
        ];
        let keys = [
            "timeout_ms",
            "retries",
            "batch_size",
            "max_connections",
            "ttl_seconds",
            "port",
            "workers",
            "shards",
            "quota",
            "window",
        ];
        for i in 0..lines.saturating_sub(5) {
            fields.push(format!(
                "\"{}\": {}",
                keys[i % keys.len()],
                self.r.range(1, 9000) + g % 13
            ));
        }
        let mut out = String::from("{\n");
        for (i, f) in fields.iter().enumerate() {
            let comma = if i + 1 < fields.len() { "," } else { "" };
            writeln!(out, "  {f}{comma}").unwrap();
        }
        out.push_str("}\n");
        out
    }

    fn sql(&mut self, svc: &str, lines: usize) -> String {
        let g = self.g;
        let cols = [
            "id",
            "created_at",
            "owner",
            "status",
            "amount",
            "region",
            "updated_at",
            "kind",
        ];
        let mut out = String::from("SELECT\n");
        let ncols = lines.saturating_sub(4).max(1);
        for i in 0..ncols {
            let comma = if i + 1 < ncols { "," } else { "" };
            writeln!(out, "    {}{comma}", cols[(i + g) % cols.len()]).unwrap();
        }
        writeln!(out, "FROM {svc}_events_{}", g % 97).unwrap();
        writeln!(
            out,
            "WHERE amount > {} AND region = '{}'",
            self.r.range(1, 5000),
            self.r.pick(ENVS)
        )
        .unwrap();
        writeln!(
            out,
            "ORDER BY created_at DESC LIMIT {};",
            self.r.range(10, 500)
        )
        .unwrap();
        out
    }

    fn toml(&mut self, svc: &str, env: &str, lines: usize) -> String {
        let g = self.g;
        let mut out =
            format!("[service]\nname = \"{svc}-{g}\"\nenvironment = \"{env}\"\n\n[limits]\n");
        let keys = [
            "requests_per_minute",
            "burst",
            "timeout_secs",
            "max_body_kb",
            "retries",
            "concurrency",
            "queue_depth",
            "cache_ttl",
            "pool_size",
            "grace_secs",
        ];
        for i in 0..lines.saturating_sub(5) {
            writeln!(
                out,
                "{} = {}",
                keys[i % keys.len()],
                self.r.range(1, 600) + g % 17
            )
            .unwrap();
        }
        out
    }
}

fn page_markdown(p: &PageRef, all: &[PageRef], old_links: OldLinks) -> String {
    let g = p.g;
    let mut w = Gen {
        r: seed(g, SEED_BODY),
        g,
        all,
    };
    let title = page_title(g);
    let h2s = page_h2s(g);

    // Front matter: weights on most pages, subcategories on some, a few toc/sidebarDepth.
    let mut out = String::from("---\n");
    if g.is_multiple_of(9) {
        writeln!(out, "title: \"{title}\"").unwrap();
    } else {
        writeln!(out, "title: {title}").unwrap();
    }
    if p.local % 11 != 5 {
        writeln!(out, "weight: {}", (p.local + 1) * 10).unwrap();
    }
    writeln!(
        out,
        "description: How the {} team handles {} for {}.",
        w.r.pick(TEAMS),
        title.split(" for ").next().unwrap_or("this").to_lowercase(),
        w.r.pick(SYSTEMS)
    )
    .unwrap();
    if p.local % 10 == 3 || p.local % 10 == 6 {
        writeln!(
            out,
            "subcategory: {}",
            SUBCATEGORIES[(p.local / 10) % SUBCATEGORIES.len()]
        )
        .unwrap();
    }
    if g.is_multiple_of(23) {
        out.push_str("toc: false\n");
    } else if g.is_multiple_of(17) {
        out.push_str("sidebarDepth: 3\n");
    }
    out.push_str("---\n\n");

    out.push_str(&w.paragraph(2, true));
    let table_at = w.r.below(h2s.len());
    let code_blocks = w.r.range(1, 3);
    let code_at: Vec<usize> = (0..code_blocks).map(|_| w.r.below(h2s.len())).collect();
    for (i, h2) in h2s.iter().enumerate() {
        writeln!(out, "## {h2}\n").unwrap();
        let sentences = w.r.range(2, 4);
        let links = w.r.chance(60);
        out.push_str(&w.paragraph(sentences, links));
        match w.r.below(4) {
            0 => out.push_str(&w.list(false)),
            1 => out.push_str(&w.list(true)),
            2 => {
                for _ in 0..w.r.range(1, 2) {
                    writeln!(out, "### {}\n", w.r.pick(H3S)).unwrap();
                    let sentences = w.r.range(1, 3);
                    let links = w.r.chance(40);
                    out.push_str(&w.paragraph(sentences, links));
                }
            }
            _ => {
                writeln!(out, "> **Note:** {}\n", w.sentence()).unwrap();
            }
        }
        if i == table_at {
            out.push_str(&w.table());
        }
        for _ in code_at.iter().filter(|&&c| c == i) {
            writeln!(out, "For example, on {}:\n", w.r.pick(ENVS)).unwrap();
            out.push_str(&w.code_block());
        }
    }
    // Every page has at least the internal links above; add a short related list.
    out.push_str("### Related\n\n");
    for _ in 0..w.r.range(2, 3) {
        writeln!(out, "- {}", w.internal_link()).unwrap();
    }
    writeln!(out, "- {}", w.external_link()).unwrap();
    if old_links.count > 0 {
        out.push_str(&old_links_markdown(p, all, old_links));
    }
    out
}

/// The extra links of the "broken links" variant of a site: a page's share of
/// [`OldLinks::count`] links, each one either broken the way a migrated handbook's links are
/// broken ([`OldLinks::broken`]) or, in the paired site, the working link it stands for.
#[derive(Clone, Copy, Default)]
pub struct OldLinks {
    /// Links of this page.
    pub count: usize,
    pub broken: bool,
}

/// A `### Old links` list: the same text and number of links in both variants; only where the
/// links lead differs. Its own LCG stream, so the rest of the page is the plain site's.
fn old_links_markdown(p: &PageRef, all: &[PageRef], old: OldLinks) -> String {
    let mut r = seed(p.g, SEED_BROKEN);
    let mut out = String::from("\n### Old links\n\n");
    for i in 0..old.count {
        let target = loop {
            let t = *r.pick(all);
            if t.g != p.g {
                break t;
            }
        };
        let h2s = page_h2s(target.g);
        let h = h2s[r.below(h2s.len())];
        let (good, bad) = broken_pair(&mut r, &target, h);
        let dest = if old.broken { bad } else { good };
        writeln!(out, "- [old link {i}]({dest})").unwrap();
    }
    out
}

/// `anchor` with its second and third letters swapped (`overview` → `ovreview`), or with an
/// `s` more where that changes nothing.
fn misspell(anchor: &str) -> String {
    let mut chars: Vec<char> = anchor.chars().collect();
    if chars.len() >= 3 && chars[1] != chars[2] {
        chars.swap(1, 2);
    } else {
        chars.push('s');
    }
    chars.into_iter().collect()
}

/// A working link to `target` and the broken link a migration left in its place: a typo in
/// the page's name, an anchor in the wrong letter case or misspelt, a page that was removed,
/// a section renamed, a subsection mixed up. Mostly distinct targets, as in a real migration.
fn broken_pair(r: &mut Lcg, target: &PageRef, heading: &str) -> (String, String) {
    let url = target.url();
    let parent = format!("/{}/{}/", SECTIONS[target.section], SUBSECTIONS[target.sub]);
    let anchor = slug(heading);
    match r.below(10) {
        0 | 1 => (url, format!("{parent}pgae-{}/", target.g)),
        2 => (url, format!("{parent}page{}/", target.g)),
        3 | 4 => (
            format!("{url}#{anchor}"),
            format!("{url}#{}", heading.replace(' ', "-")),
        ),
        5 => (
            format!("{url}#{anchor}"),
            format!("{url}#{}", misspell(&anchor)),
        ),
        6 | 7 => (url, format!("{parent}retired-guide-{}/", target.g)),
        8 => (
            url,
            format!(
                "/old-{}/{}/page-{}/",
                SECTIONS[target.section], SUBSECTIONS[target.sub], target.g
            ),
        ),
        _ => (
            url,
            format!(
                "/{}/{}/page-{}/",
                SECTIONS[target.section],
                SUBSECTIONS[(target.sub + 1) % SUBSECTIONS.len()],
                target.g
            ),
        ),
    }
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn home_markdown(shape: &Shape) -> String {
    let mut out = String::from(
        "---\ntitle: Bench Handbook\ndescription: A generated handbook for benchmarking.\n---\n\n\
         Welcome to the benchmark handbook. It has these sections:\n\n",
    );
    for s in &SECTIONS[..shape.sections] {
        writeln!(
            out,
            "- [{}](/{s}/) describes how the {s} team works.",
            title_case(s)
        )
        .unwrap();
    }
    out.push_str(
        "\nEverything here is generated; see `benches/README.md` in the handbook repository.\n",
    );
    out
}

fn section_markdown(shape: &Shape, s: usize) -> String {
    let name = SECTIONS[s];
    let mut w = Gen {
        r: Lcg::new(10_000_000 + s as u64),
        g: 0,
        all: &[],
    };
    let mut out = format!(
        "---\nlayout: page\ntitle: {} Handbook\nweight: {}\npermalink: /{name}/\ndescription: How the {name} team plans, works and reports.\n---\n\n",
        title_case(name),
        (s + 1) * 10
    );
    out.push_str("## Overview\n\n");
    out.push_str(&w.paragraph(4, false));
    out.push_str("## Subsections\n\n");
    for sub in &SUBSECTIONS[..shape.subsections] {
        writeln!(out, "- [{}](/{name}/{sub}/)", title_case(sub)).unwrap();
    }
    out
}

fn subsection_markdown(s: usize, sub: usize, pages: &[PageRef]) -> String {
    let (name, subname) = (SECTIONS[s], SUBSECTIONS[sub]);
    let mut out = format!(
        "---\ntitle: {} {}\nweight: {}\ndescription: The {subname} pages of the {name} handbook.\n---\n\n\
         ## Overview\n\nThis part of the [{} handbook](/{name}/) collects {} pages about {subname}.\n\n## Start here\n\n",
        title_case(name),
        title_case(subname),
        (sub + 1) * 10,
        title_case(name),
        pages.len()
    );
    for p in pages.iter().take(5) {
        writeln!(out, "- [{}]({})", page_title(p.g), p.url()).unwrap();
    }
    out
}

/// Writes the whole site into `dir` (which must not exist).
pub fn generate(dir: &Path, shape: Shape) -> std::io::Result<usize> {
    generate_with(dir, shape, None)
}

/// [`generate`], with `old_links`: (links in all, broken or not) spread evenly over the
/// ordinary pages, and `links: warn` in `handbook.yml`.
pub fn generate_with(
    dir: &Path,
    shape: Shape,
    old_links: Option<(usize, bool)>,
) -> std::io::Result<usize> {
    let subs = shape.sections * shape.subsections;
    let landing = 1 + shape.sections + subs;
    let ordinary = shape.pages - landing;
    let mut all = Vec::with_capacity(ordinary);
    let mut g = 1;
    for k in 0..subs {
        let count = ordinary / subs + usize::from(k < ordinary % subs);
        for local in 0..count {
            all.push(PageRef {
                g,
                section: k / shape.subsections,
                sub: k % shape.subsections,
                local,
            });
            g += 1;
        }
    }

    let content = dir.join("content");
    fs::create_dir_all(&content)?;
    let policy = if old_links.is_some() {
        "links: warn\n"
    } else {
        ""
    };
    fs::write(
        dir.join("handbook.yml"),
        format!("title: Bench\nbase_url: https://bench.example.com/\n{policy}"),
    )?;
    let (total, broken) = old_links.unwrap_or((0, false));
    let share = |g: usize| g * total / all.len().max(1) - (g - 1) * total / all.len().max(1);
    fs::write(content.join("index.md"), home_markdown(&shape))?;
    let mut bytes = 0;
    for (s, section) in SECTIONS.iter().enumerate().take(shape.sections) {
        let sdir = content.join(section);
        fs::create_dir_all(&sdir)?;
        fs::write(sdir.join("index.md"), section_markdown(&shape, s))?;
        for (sub, subsection) in SUBSECTIONS.iter().enumerate().take(shape.subsections) {
            let dir = sdir.join(subsection);
            fs::create_dir_all(&dir)?;
            let pages: Vec<PageRef> = all
                .iter()
                .copied()
                .filter(|p| p.section == s && p.sub == sub)
                .collect();
            fs::write(dir.join("index.md"), subsection_markdown(s, sub, &pages))?;
            for p in &pages {
                let old = OldLinks {
                    count: share(p.g),
                    broken,
                };
                let md = page_markdown(p, &all, old);
                bytes += md.len();
                fs::write(dir.join(format!("page-{}.md", p.g)), md)?;
            }
        }
    }
    Ok(bytes / all.len().max(1))
}

/// The marker also holds a hash of this file, so editing the generator regenerates the sites
/// even when [`GENERATOR_VERSION`] was not bumped.
pub fn marker_text(shape: &Shape) -> String {
    let source = include_str!("generator.rs");
    let fnv = source.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!(
        "{GENERATOR_VERSION}\nsource={fnv:016x}\npages={} sections={} subsections={}\n",
        shape.pages, shape.sections, shape.subsections
    )
}

/// Generates `base/handbook-<pages>` unless it is already there with the current marker.
/// An outdated site is moved into `trash` (which the bench deletes at its end).
pub fn ensure_site(base: &Path, pages: usize, trash: &Path) -> PathBuf {
    ensure_site_with(base, pages, trash, None)
}

/// [`ensure_site`] for the "broken links" pair: `handbook-<pages>-broken` with `links`
/// broken links, or `handbook-<pages>-fixed` with the same links working
/// (`old_links` = `(links, broken)`, see [`generate_with`]).
pub fn ensure_site_with(
    base: &Path,
    pages: usize,
    trash: &Path,
    old_links: Option<(usize, bool)>,
) -> PathBuf {
    let name = match old_links {
        None => format!("handbook-{pages}"),
        Some((_, true)) => format!("handbook-{pages}-broken"),
        Some((_, false)) => format!("handbook-{pages}-fixed"),
    };
    ensure_shaped(base, &name, Shape::for_pages(pages), trash, old_links)
}

/// The site `name` of `shape` under `base`, generated unless it is there and up to date.
pub fn ensure_shaped(
    base: &Path,
    name: &str,
    shape: Shape,
    trash: &Path,
    old_links: Option<(usize, bool)>,
) -> PathBuf {
    let pages = shape.pages;
    let dir = base.join(name);
    let mut marker = marker_text(&shape);
    if let Some((links, broken)) = old_links {
        marker.push_str(&format!("old_links={links} broken={broken}\n"));
    }
    if fs::read_to_string(dir.join(MARKER_FILE)).ok().as_deref() == Some(marker.as_str()) {
        println!("site {}: up to date ({})", dir.display(), GENERATOR_VERSION);
        return dir;
    }
    let started = Instant::now();
    let tmp = base.join(format!("{name}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let avg = generate_with(&tmp, shape, old_links)
        .unwrap_or_else(|e| panic!("generating {}: {e}", tmp.display()));
    fs::write(tmp.join(MARKER_FILE), &marker).expect("write marker");
    if dir.exists() {
        fs::rename(&dir, trash.join(format!("old-{name}"))).expect("move the outdated site away");
    }
    fs::rename(&tmp, &dir).expect("move the generated site into place");
    println!(
        "site {}: generated {pages} pages (average ordinary page {avg} bytes) in {:.2} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}
