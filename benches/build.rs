//! End-to-end build benchmark: `cargo bench --bench build`.
//!
//! Generates two synthetic handbooks (1,000 and 10,000 pages) under `target/bench-sites/`,
//! then times the release `handbook build` binary on them and on the repository's own
//! content, as a child process: wall time per run (median, min, max) and the child's peak
//! RSS (from `wait4`). Prints a Markdown table with the performance targets.
//!
//! Environment:
//! - `HANDBOOK_BENCH_RUNS=N`   measured runs per site (default 10, 5 for the 10k site)
//! - `HANDBOOK_BENCH_STRICT=1` exit non-zero when a target is missed
//!
//! Positional arguments (`cargo bench --bench build -- real 1000`) select sites by name.
//!
//! No harness and no random crate: the content comes from an LCG seeded by page number, so
//! every run generates byte-identical sites. Bump [`GENERATOR_VERSION`] whenever the generator
//! changes so that the cached sites are regenerated.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Written to `<site>/.generator-version`; a site whose marker differs is regenerated.
const GENERATOR_VERSION: &str = "handbook-bench-generator 2";
const MARKER_FILE: &str = ".generator-version";
const BIN: &str = env!("CARGO_BIN_EXE_handbook");
const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

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

const SECTIONS: [&str; 10] = [
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
const SUBSECTIONS: [&str; 10] = [
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
struct Shape {
    /// Pages in total, landing pages (`index.md`) included.
    pages: usize,
    sections: usize,
    subsections: usize,
}

impl Shape {
    fn for_pages(pages: usize) -> Shape {
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
struct PageRef {
    /// Global page number (1-based), the seed of everything about the page.
    g: usize,
    section: usize,
    sub: usize,
    /// Position inside its subsection (0-based).
    local: usize,
}

impl PageRef {
    fn url(&self) -> String {
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

fn seed(g: usize, stream: u64) -> Lcg {
    Lcg::new((g as u64) << 4 | stream)
}

fn page_title(g: usize) -> String {
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

fn page_markdown(p: &PageRef, all: &[PageRef]) -> String {
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
    out
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
fn generate(dir: &Path, shape: Shape) -> std::io::Result<usize> {
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
    fs::write(
        dir.join("handbook.yml"),
        "title: Bench\nbase_url: https://bench.example.com/\n",
    )?;
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
                let md = page_markdown(p, &all);
                bytes += md.len();
                fs::write(dir.join(format!("page-{}.md", p.g)), md)?;
            }
        }
    }
    Ok(bytes / all.len().max(1))
}

/// The marker also holds a hash of this file, so editing the generator regenerates the sites
/// even when [`GENERATOR_VERSION`] was not bumped.
fn marker_text(shape: &Shape) -> String {
    let source = include_str!("build.rs");
    let fnv = source.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!(
        "{GENERATOR_VERSION}\nsource={fnv:016x}\npages={} sections={} subsections={}\n",
        shape.pages, shape.sections, shape.subsections
    )
}

/// Generates `base/handbook-<pages>` unless it is already there with the current marker.
/// An outdated site is moved into `trash` (deleted at the end of the bench, see [`measure`]).
fn ensure_site(base: &Path, pages: usize, trash: &Path) -> PathBuf {
    let shape = Shape::for_pages(pages);
    let dir = base.join(format!("handbook-{pages}"));
    let marker = marker_text(&shape);
    if fs::read_to_string(dir.join(MARKER_FILE)).ok().as_deref() == Some(marker.as_str()) {
        println!("site {}: up to date ({})", dir.display(), GENERATOR_VERSION);
        return dir;
    }
    let started = Instant::now();
    let tmp = base.join(format!("handbook-{pages}.tmp"));
    let _ = fs::remove_dir_all(&tmp);
    let avg = generate(&tmp, shape).unwrap_or_else(|e| panic!("generating {}: {e}", tmp.display()));
    fs::write(tmp.join(MARKER_FILE), &marker).expect("write marker");
    if dir.exists() {
        fs::rename(&dir, trash.join(format!("old-handbook-{pages}")))
            .expect("move the outdated site away");
    }
    fs::rename(&tmp, &dir).expect("move the generated site into place");
    println!(
        "site {}: generated {pages} pages (average ordinary page {avg} bytes) in {:.2} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}

// ---------------------------------------------------------------------------------------------
// Running and measuring
// ---------------------------------------------------------------------------------------------

struct Run {
    wall: Duration,
    /// Peak resident set size of the child, in KiB (Linux `ru_maxrss`).
    max_rss_kib: i64,
    /// CPU time of the child (all its threads) in user space, and in the kernel on its behalf
    /// (creating files and folders, mostly).
    user: Duration,
    sys: Duration,
    stdout: String,
    stderr: String,
}

/// Runs `handbook build` once, waiting with `wait4` to get this child's own rusage.
fn run_build(bin: &Path, root: &Path, out: &Path, logs: &Path) -> Run {
    let out_log = logs.with_extension("stdout");
    let err_log = logs.with_extension("stderr");
    let started = Instant::now();
    let child = Command::new(bin)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--output-dir")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_log).expect("create stdout log"))
        .stderr(fs::File::create(&err_log).expect("create stderr log"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, not yet reaped (std never waits on its own).
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            panic!("wait4 failed: {err}");
        }
    }
    let wall = started.elapsed();
    drop(child);
    let stdout = fs::read_to_string(&out_log).unwrap_or_default();
    let stderr = fs::read_to_string(&err_log).unwrap_or_default();
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    if !ok {
        let how = if libc::WIFEXITED(status) {
            format!("exit code {}", libc::WEXITSTATUS(status))
        } else if libc::WIFSIGNALED(status) {
            format!("signal {}", libc::WTERMSIG(status))
        } else {
            format!("wait status {status}")
        };
        eprintln!(
            "\n==== handbook build --root {} failed ({how}) ====",
            root.display()
        );
        eprintln!("---- stdout ----\n{stdout}");
        eprintln!("---- stderr ----\n{stderr}");
        panic!("handbook build failed for {}", root.display());
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let (user, sys) = (tv(usage.ru_utime), tv(usage.ru_stime));
    Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        user,
        sys,
        stdout,
        stderr,
    }
}

/// `Built 1006 pages in 16 sections in 123 ms into ...` → (1006, 123).
fn parse_summary(stdout: &str) -> Option<(usize, u64)> {
    let line = stdout.lines().find(|l| l.starts_with("Built "))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let pages = words.get(1)?.parse().ok()?;
    let ms_at = words.iter().position(|w| *w == "ms")?;
    let ms = words.get(ms_at - 1)?.parse().ok()?;
    Some((pages, ms))
}

/// What a measured build starts from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A full build into a folder that does not exist (as in CI): every page rendered and written.
    Clean,
    /// A rebuild over the output of the same inputs: the incremental path, nothing changed.
    NoChange,
    /// A rebuild after one page's body changed (generated sites only).
    OneEdit,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::Clean, Mode::NoChange, Mode::OneEdit];

    fn key(self) -> &'static str {
        match self {
            Mode::Clean => "clean",
            Mode::NoChange => "nochange",
            Mode::OneEdit => "edit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Mode::Clean => "clean build",
            Mode::NoChange => "rebuild, no change",
            Mode::OneEdit => "rebuild, 1 page edited",
        }
    }
}

struct Bench {
    name: &'static str,
    key: &'static str,
    root: PathBuf,
    /// The page the `OneEdit` mode changes; `None` for the real content, which is not ours.
    edit_page: Option<PathBuf>,
    runs: usize,
    target_wall: Duration,
    target_rss_mb: Option<f64>,
}

struct Measured {
    name: &'static str,
    mode: Mode,
    pages: String,
    walls: Vec<Duration>,
    users: Vec<Duration>,
    syss: Vec<Duration>,
    internal_ms: Vec<u64>,
    max_rss_mb: f64,
    target_wall: Duration,
    target_rss_mb: Option<f64>,
}

fn median<T: Copy + Ord>(v: &[T]) -> T {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

fn fmt_dur(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// Puts a file's original text back when dropped, also when a failed build panics.
struct Restore {
    path: PathBuf,
    original: String,
}

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = fs::write(&self.path, &self.original);
    }
}

fn print_warnings(name: &str, run: &Run) {
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    if !warnings.is_empty() {
        println!("{name}: {} warning line(s), first ones:", warnings.len());
        for w in warnings.iter().take(5) {
            println!("    {w}");
        }
    }
}

/// Runs one site in one mode: warm-up build(s), then `b.runs` measured builds.
///
/// Clean builds each get a new folder under `scratch`, deleted only at the end of the whole
/// bench: deleting thousands of files right before a build slows down creating files on some
/// filesystems (ext4 without a journal skips inodes deleted in the last 30 s), which would
/// charge the build for the bench's own cleanup.
fn measure(b: &Bench, mode: Mode, bin: &Path, base: &Path, scratch: &Path) -> Measured {
    let label = format!("{} / {}", b.name, mode.label());
    let logs = base.join(format!("log-{}-{}", b.key, mode.key()));
    let warm_out = scratch.join(format!("out-{}", b.key));
    let out_for = |i: usize| match mode {
        Mode::Clean => scratch.join(format!("clean-{}-{i}", b.key)),
        Mode::NoChange | Mode::OneEdit => warm_out.clone(),
    };
    let mut restore = None;
    let mut before_run = |i: usize| {
        if mode == Mode::OneEdit {
            let path = b
                .edit_page
                .as_ref()
                .expect("edit mode needs a page to edit");
            let r = restore.get_or_insert_with(|| Restore {
                path: path.clone(),
                original: fs::read_to_string(path).expect("read the page to edit"),
            });
            let text = format!("{}\nEdited by the benchmark, run {i}.\n", r.original);
            fs::write(path, text).expect("edit the page");
        }
    };

    println!("{label}: warm-up ...");
    // A rebuild needs both the output and the staging folder beside it to hold a finished
    // build: two warm-up builds (the first one may already have been done by another mode).
    let warmups = if mode == Mode::Clean { 1 } else { 2 };
    let mut pages = "?".to_string();
    for w in 0..warmups {
        before_run(1_000_000 + w);
        let run = run_build(bin, &b.root, &out_for(0), &logs);
        print_warnings(&label, &run);
        if let Some((p, _)) = parse_summary(&run.stdout) {
            pages = p.to_string();
        }
    }

    let mut walls = Vec::with_capacity(b.runs);
    let mut users = Vec::with_capacity(b.runs);
    let mut syss = Vec::with_capacity(b.runs);
    let mut internal_ms = Vec::new();
    let mut max_rss = 0;
    for i in 1..=b.runs {
        before_run(i);
        let run = run_build(bin, &b.root, &out_for(i), &logs);
        if let Some((_, ms)) = parse_summary(&run.stdout) {
            internal_ms.push(ms);
        }
        max_rss = max_rss.max(run.max_rss_kib);
        println!(
            "{label}: run {i}/{}: {} wall, {} CPU, {} MB",
            b.runs,
            fmt_dur(run.wall),
            fmt_dur(run.user + run.sys),
            run.max_rss_kib / 1024
        );
        walls.push(run.wall);
        users.push(run.user);
        syss.push(run.sys);
    }
    drop(restore);
    Measured {
        name: b.name,
        mode,
        pages,
        walls,
        users,
        syss,
        internal_ms,
        max_rss_mb: max_rss as f64 / 1024.0,
        target_wall: b.target_wall,
        target_rss_mb: b.target_rss_mb,
    }
}

/// Deletes a folder when dropped, also when a failed build panics.
struct RemoveDirOnDrop(PathBuf);

impl Drop for RemoveDirOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; other arguments select sites and modes.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs_override: Option<usize> = std::env::var("HANDBOOK_BENCH_RUNS")
        .ok()
        .map(|v| {
            v.parse()
                .expect("HANDBOOK_BENCH_RUNS must be a whole number")
        })
        .map(|n: usize| n.max(1));
    let strict = std::env::var("HANDBOOK_BENCH_STRICT").is_ok_and(|v| v == "1");

    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(MANIFEST_DIR).join("target"));
    let base = target_dir.join("bench-sites");
    fs::create_dir_all(&base).expect("create target/bench-sites");
    let base = base
        .canonicalize()
        .expect("canonicalize target/bench-sites");

    let site_keys = ["real", "1000", "10000"];
    let mode_keys = Mode::ALL.map(Mode::key);
    for f in &filters {
        if !site_keys.contains(&f.as_str()) && !mode_keys.contains(&f.as_str()) {
            eprintln!("unknown argument `{f}`: sites are {site_keys:?}, modes are {mode_keys:?}");
            std::process::exit(2);
        }
    }
    let site_wanted = |key: &str| {
        !filters.iter().any(|f| site_keys.contains(&f.as_str())) || filters.iter().any(|f| f == key)
    };
    let modes: Vec<Mode> = Mode::ALL
        .into_iter()
        .filter(|m| {
            !filters.iter().any(|f| mode_keys.contains(&f.as_str()))
                || filters.iter().any(|f| f == m.key())
        })
        .collect();

    // Where the builds write: target/bench-sites unless HANDBOOK_BENCH_OUT_DIR names another
    // folder (on another file system, say, to take the disk out of the figures).
    let out_base = match std::env::var_os("HANDBOOK_BENCH_OUT_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            fs::create_dir_all(&dir).expect("create HANDBOOK_BENCH_OUT_DIR");
            dir.canonicalize()
                .expect("canonicalize HANDBOOK_BENCH_OUT_DIR")
        }
        None => base.clone(),
    };

    // Leftovers of an earlier, interrupted bench go now; this run's folders at the end.
    for entry in fs::read_dir(&out_base)
        .expect("list the bench's output folder")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("run-") || name.starts_with("handbook-bench-bin-") {
            let _ = fs::remove_dir_all(entry.path()).or_else(|_| fs::remove_file(entry.path()));
        }
    }
    for entry in fs::read_dir(&base)
        .expect("list target/bench-sites")
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("trash-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
    // Outdated generated sites are moved here (beside them: a rename cannot cross file
    // systems) and deleted at the end.
    let trash = RemoveDirOnDrop(base.join(format!("trash-{}", std::process::id())));
    fs::create_dir_all(&trash.0).expect("create the trash folder");
    let scratch = RemoveDirOnDrop(out_base.join(format!("run-{}", std::process::id())));
    fs::create_dir_all(&scratch.0).expect("create the scratch folder");

    let mut benches = Vec::new();
    if site_wanted("real") {
        benches.push(Bench {
            name: "real content",
            key: "real",
            root: PathBuf::from(MANIFEST_DIR),
            edit_page: None,
            runs: runs_override.unwrap_or(10),
            target_wall: Duration::from_millis(40),
            target_rss_mb: None,
        });
    }
    for (pages, key, name, runs, wall_ms, rss) in [
        (1_000, "1000", "generated 1k", 10, 250, None),
        (10_000, "10000", "generated 10k", 5, 2500, Some(300.0)),
    ] {
        if site_wanted(key) {
            let root = ensure_site(&base, pages, &trash.0);
            let edit_page = root
                .join("content")
                .join(SECTIONS[0])
                .join(SUBSECTIONS[0])
                .join("page-1.md");
            benches.push(Bench {
                name,
                key,
                root,
                edit_page: Some(edit_page),
                runs: runs_override.unwrap_or(runs),
                target_wall: Duration::from_millis(wall_ms),
                target_rss_mb: rss,
            });
        }
    }

    // Run a private copy: `target/release/handbook` may be rebuilt by another cargo command
    // while the bench runs, and a mix of two binaries would make the figures meaningless.
    let bin = scratch.0.join("handbook");
    fs::copy(BIN, &bin).unwrap_or_else(|e| panic!("cannot copy {BIN}: {e}"));
    println!("binary: {BIN} (measured as a copy, {})", bin.display());

    let mut results = Vec::new();
    for b in &benches {
        for &mode in &modes {
            if mode == Mode::OneEdit && b.edit_page.is_none() {
                continue;
            }
            results.push(measure(b, mode, &bin, &base, &scratch.0));
        }
    }
    println!("removing {} ...", scratch.0.display());
    drop(scratch);
    drop(trash);

    let mut all_met = true;
    println!();
    println!(
        "| site | build | pages | median | min | max | reported by handbook (median) | CPU user (median) | CPU system (median) | peak RSS (MB) | target | met |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in &results {
        let med = median(&r.walls);
        let min = *r.walls.iter().min().unwrap();
        let max = *r.walls.iter().max().unwrap();
        let internal = if r.internal_ms.is_empty() {
            "?".to_string()
        } else {
            format!("{} ms", median(&r.internal_ms))
        };
        let wall_ok = med < r.target_wall;
        let rss_ok = r.target_rss_mb.is_none_or(|t| r.max_rss_mb < t);
        let target = match r.target_rss_mb {
            Some(t) => format!("< {} and < {t:.0} MB", fmt_dur(r.target_wall)),
            None => format!("< {}", fmt_dur(r.target_wall)),
        };
        let met = match (wall_ok, rss_ok) {
            (true, true) => "yes",
            (false, true) => "NO (time)",
            (true, false) => "NO (memory)",
            (false, false) => "NO (time, memory)",
        };
        all_met &= wall_ok && rss_ok;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {} | {} |",
            r.name,
            r.mode.label(),
            r.pages,
            fmt_dur(med),
            fmt_dur(min),
            fmt_dur(max),
            internal,
            fmt_dur(median(&r.users)),
            fmt_dur(median(&r.syss)),
            r.max_rss_mb,
            target,
            met
        );
    }
    println!();
    println!(
        "(wall time of the whole `handbook build` process; medians over {} measured run(s) per row after warm-up; {} CPUs)",
        results
            .iter()
            .map(|r| r.walls.len().to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join("/"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if strict && !all_met {
        std::process::exit(1);
    }
}
