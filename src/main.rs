//! The `handbook` command line: parses arguments, runs the pipeline, prints diagnostics.

use clap::{Args, Parser, Subcommand};
use handbook::diagnostics::Diagnostic;
use handbook::{BuildOptions, CheckOptions, build, check};
use std::path::PathBuf;
use std::process::ExitCode;

// Rendering allocates many short-lived strings on both threads: with glibc's allocator that was
// a fifth of a build's instructions. mimalloc: -7% instructions, -12% wall time on the 10k
// benchmark handbook, for about 40 MB more at peak (still well under the 300 MB target).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Builds the company handbook: Markdown pages in `content/` become a static website.
#[derive(Parser)]
#[command(name = "handbook", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Preview the handbook while you edit it: serves the site at http://127.0.0.1:1111/ and
    /// reloads the page in your browser each time you save.
    ///
    /// Nothing is written to disk: pages are rendered from memory when you open them. It
    /// watches content/, templates/, static/ and handbook.yml; a saved page shows in the
    /// browser in a few milliseconds, a CSS change without reloading the page. Problems (bad
    /// front matter, a template error, a broken link) are printed here and shown over the page
    /// in the browser until you fix them; meanwhile the site keeps its last good version.
    Serve(ServeArgs),
    /// Build the site into the output folder (public/ by default).
    ///
    /// The previous output is replaced only when the whole build succeeds: a failed build leaves
    /// it exactly as it was. Every problem found is printed as `file:line:column: message`.
    Build(BuildArgs),
    /// Check the handbook without writing anything: the command for CI and pre-commit hooks.
    ///
    /// Runs everything a build does, every page rendered, and reports every problem: broken
    /// internal links and #anchors, front matter, templates, images without alt text, pages
    /// nothing links to. Exits with status 1 if there is an error (with --strict, also if
    /// there is a warning).
    Check(CheckArgs),
    /// List the pages due for review: not changed in git for longer than their review
    /// interval, grouped by owner (CODEOWNERS).
    ///
    /// The interval is `freshness.review_every` of handbook.yml (1 year when not set), or a
    /// page's own `review_every:` (like `3 months`); pages with `evergreen: true` are never
    /// due. Pages git cannot date are listed apart. Prints text, a Markdown comment for a merge
    /// request (--format markdown), or JSON for a program (--format json); always exits 0
    /// unless the handbook cannot be read.
    Stale(StaleArgs),
}

/// `handbook stale`.
#[derive(Args)]
struct StaleArgs {
    /// The handbook's folder, the one holding handbook.yml, content/, templates/ and static/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Count ages to this day instead of today (like 2027-03-31: what will be due by then).
    #[arg(long, value_name = "DATE")]
    on: Option<String>,
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = StaleFormat::Text)]
    format: StaleFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum StaleFormat {
    /// For a terminal.
    Text,
    /// A comment for a merge request: a table per owner.
    Markdown,
    /// For a program: every field of every page.
    Json,
}

/// `handbook serve`.
#[derive(Args)]
struct ServeArgs {
    /// The handbook's folder, the one holding handbook.yml, content/, templates/ and static/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// The address to listen on. The default serves only this computer; 0.0.0.0 makes the
    /// site reachable from your network (to look at it from a phone, say).
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// The port to listen on; 0 picks a free one (printed at start).
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// Open the site in your default browser.
    #[arg(long)]
    open: bool,
    /// Also serve pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Also answer requests addressed to this name (repeatable), like the computer's name
    /// on your network with --bind 0.0.0.0. localhost, names ending in .localhost and IP
    /// addresses are always answered; other names are refused, so that a web page you
    /// visit cannot read the site through a name of its own (DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
    /// Show what a reviewer of the merge request will see, compared with this commit,
    /// branch or tag (like `main`): the preview banner on every page, the changes page at
    /// /_preview/, and the changed sections marked in the pages.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
}

/// `handbook build`.
#[derive(Args)]
struct BuildArgs {
    /// The handbook's folder, the one holding handbook.yml, content/, templates/ and static/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Where to write the site. Relative paths are relative to the current folder.
    /// [default: DIR/public]
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// The address the site will be served from (like https://handbook.example.com/),
    /// instead of base_url in handbook.yml. Used for the sitemap and canonical links.
    /// On Netlify the deploy's own address is used without it (DEPLOY_PRIME_URL on
    /// previews and branch deploys, URL in production).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also build pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Compare with this commit, branch or tag (like `main`), as a merge request's deploy
    /// preview does: a banner on every page, a changes page at /_preview/ listing the pages
    /// added, changed, renamed and removed (changed sections marked in the pages), and a
    /// warning for each old URL left without a redirect. On Netlify's deploy previews and
    /// branch deploys this happens without it, against the merge base with
    /// repository.branch of handbook.yml.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
}

/// `handbook check`.
#[derive(Args)]
struct CheckArgs {
    /// The handbook's folder, the one holding handbook.yml, content/, templates/ and static/.
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Check with this address as base_url (see `handbook build --help`).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Also check pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Also compare with this commit, branch or tag (like `main`): a page removed or moved
    /// to another URL since then, without an alias for its old URL, is an error, because
    /// every link to it from outside the handbook would break.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Also check http(s) links on the network (settings: `external_links` in
    /// handbook.yml). A link that is not there (404, 410) is an error; a timeout, a server
    /// error or a site that refuses robots is a warning. Good results are remembered for a
    /// day in .handbook-cache/.
    #[arg(long)]
    external: bool,
    /// With --external: stop checking after this many seconds, instead of
    /// external_links.deadline_seconds of handbook.yml (default 120; 0: no limit). Links
    /// not checked by then are reported, and the next check goes on with them.
    #[arg(long, value_name = "SECONDS", requires = "external")]
    external_deadline: Option<u64>,
    /// Also warn about sibling pages with the same weight (their titles then decide their
    /// order) and, with a CODEOWNERS file, about pages it gives no owner; and fail on
    /// warnings too (network problems of --external included).
    #[arg(long)]
    strict: bool,
    /// First repair mojibake (`â€™` for `’`, `Ã©` for `é`: UTF-8 text once read as
    /// Windows-1252) and the letter case of anchors (`#Our-Values` where the heading's id
    /// is `#our-values`) in every page of content/, in place, changing nothing else; then
    /// check.
    #[arg(long)]
    fix: bool,
}

fn main() -> ExitCode {
    no_huge_pages();
    match Cli::parse().command {
        Command::Serve(args) => args.run(),
        Command::Build(args) => args.run(),
        Command::Check(args) => args.run(),
        Command::Stale(args) => args.run(),
    }
}

/// Asks Linux not to back this process's memory with transparent huge pages. mimalloc asks for
/// them, and the kernel then zeroes 2 MB for every first touch of a fresh page: on the 10k
/// benchmark handbook a rebuild spent a third of its samples in `clear_page_erms`, twice the
/// system time, and 40 MB more at peak, for no gain in user time.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and touches no memory of ours; a kernel
    // without it returns an error, which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

impl ServeArgs {
    fn run(self) -> ExitCode {
        let ServeArgs {
            root,
            bind,
            port,
            open,
            drafts,
            allow_hosts,
            base,
        } = self;
        let options = handbook::serve::ServeOptions {
            root,
            bind,
            port,
            open,
            drafts,
            base,
            allow_hosts,
        };
        match handbook::serve::run(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(handbook::serve::ServeError::Site(problems)) => {
                report(&problems);
                eprintln!("error: cannot serve the site");
                ExitCode::FAILURE
            }
            Err(handbook::serve::ServeError::Start(message)) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        }
    }
}

impl BuildArgs {
    fn run(self) -> ExitCode {
        let BuildArgs {
            root,
            output_dir,
            base_url,
            drafts,
            base,
        } = self;
        let options = BuildOptions {
            root,
            output_dir,
            base_url,
            drafts,
            deploy: handbook::netlify::deploy::Deploy::from_env(),
            base,
        };
        match build(&options) {
            Ok(summary) => {
                report(&summary.warnings);
                println!(
                    "Built {} page{} in {} section{} in {} ms into {}",
                    summary.pages,
                    plural(summary.pages),
                    summary.sections,
                    plural(summary.sections),
                    summary.elapsed.as_millis(),
                    summary.output_dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                report(&err.diagnostics);
                let errors = err.errors().count();
                eprintln!(
                    "error: the build failed with {errors} error{}; the previous output was left as it was",
                    plural(errors)
                );
                ExitCode::FAILURE
            }
        }
    }
}

impl CheckArgs {
    fn run(self) -> ExitCode {
        let CheckArgs {
            root,
            base_url,
            drafts,
            base,
            external,
            external_deadline,
            strict,
            fix,
        } = self;
        let options = BuildOptions {
            root,
            output_dir: None,
            base_url,
            drafts,
            base,
            ..BuildOptions::default()
        };
        if fix && let Err(code) = fix_first(&options) {
            return code;
        }
        let checks = CheckOptions {
            strict,
            external,
            external_deadline,
        };
        match check(&options, checks) {
            Ok(summary) => {
                report(&summary.warnings);
                let warnings = summary.warnings.len();
                if strict && warnings > 0 {
                    eprintln!(
                        "error: {warnings} warning{} (--strict fails on warnings)",
                        plural(warnings)
                    );
                    return ExitCode::FAILURE;
                }
                println!(
                    "Checked {} page{} in {} ms: no errors, {warnings} warning{}",
                    summary.pages,
                    plural(summary.pages),
                    summary.elapsed.as_millis(),
                    plural(warnings)
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                report(&err.diagnostics);
                let errors = err.errors().count();
                let warnings = err.diagnostics.len() - errors;
                eprintln!(
                    "error: {errors} error{} and {warnings} warning{}",
                    plural(errors),
                    plural(warnings)
                );
                ExitCode::FAILURE
            }
        }
    }
}

impl StaleArgs {
    fn run(self) -> ExitCode {
        let options = BuildOptions {
            root: self.root,
            ..BuildOptions::default()
        };
        match handbook::stale(&options, self.on.as_deref()) {
            Ok((stale, warnings)) => {
                // Only for the terminal: the other formats are read by programs.
                if matches!(self.format, StaleFormat::Text) {
                    report(&warnings);
                }
                print!(
                    "{}",
                    match self.format {
                        StaleFormat::Text => stale.text(),
                        StaleFormat::Markdown => stale.markdown(),
                        StaleFormat::Json => {
                            let mut json = serde_json::to_string_pretty(&stale)
                                .expect("the report is plain data");
                            json.push('\n');
                            json
                        }
                    }
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                report(&err.diagnostics);
                eprintln!("error: cannot read the handbook");
                ExitCode::FAILURE
            }
        }
    }
}

/// `handbook check --fix`: the repairs, each said, before the check.
fn fix_first(options: &BuildOptions) -> Result<(), ExitCode> {
    let (repaired, problems) = handbook::fix_mojibake(&options.root);
    for (file, count) in &repaired {
        println!(
            "Repaired {count} stretch{} of mojibake in {file}",
            if *count == 1 { "" } else { "es" }
        );
    }
    if !problems.is_empty() {
        report(&problems);
        return Err(ExitCode::FAILURE);
    }
    let (fixed, problems) = handbook::fix_anchor_case(options);
    for (file, count) in &fixed {
        println!("{file}: fixed {count} anchor{}", plural(*count));
    }
    if !problems.is_empty() {
        report(&problems);
        return Err(ExitCode::FAILURE);
    }
    Ok(())
}

/// The one place that prints diagnostics. Buffered: stderr is not, and a migrated handbook
/// can have 25,000 warnings of several writes each.
fn report(diagnostics: &[Diagnostic]) {
    use std::io::Write;
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr().lock());
    for d in diagnostics {
        // Nowhere to report a closed stderr.
        let _ = writeln!(out, "{d}");
    }
    let _ = out.flush();
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
