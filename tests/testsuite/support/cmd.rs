//! The `handbook` binary, run as a user runs it, and what it printed compared word for word:
//! make a [`Handbook`] (from a fixture, `fixture.handbook(&["check"])`, which adds `--root`, or
//! with [`Handbook::new`]), add to it, [`Handbook::run`] it, and check the [`Run`]:
//!
//! ```ignore
//! fixture
//!     .handbook(&["check", "--strict"])
//!     .run()
//!     .code(1)
//!     .stdout_is("")
//!     .stderr_is("content/a.md:3:1: warning: ...\nerror: 1 warning (--strict fails on ...)\n");
//! ```
//!
//! Every command runs in its own process group under a deadline: one that hangs is killed
//! with its group, and fails the test, instead of hanging it.

use super::alone;
use super::process::Group;
use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Longer than any command of the tests takes on a busy machine, far shorter than forever.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A `handbook` command to run.
pub struct Handbook {
    command: Command,
}

impl Handbook {
    /// `handbook ARGS`.
    pub fn new<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Handbook {
        let mut command = Command::new(env!("CARGO_BIN_EXE_handbook"));
        command.args(args);
        Handbook { command }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Handbook {
        self.command.arg(arg);
        self
    }

    /// Runs it in `dir` (relative paths of its arguments are relative to it).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Handbook {
        self.command.current_dir(dir);
        self
    }

    pub fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Handbook {
        self.command.env(name, value);
        self
    }

    pub fn env_remove(mut self, name: &str) -> Handbook {
        self.command.env_remove(name);
        self
    }

    /// Changes the command in any other way (`pre_exec` to set a limit, ...).
    pub fn with(mut self, change: impl FnOnce(&mut Command)) -> Handbook {
        change(&mut self.command);
        self
    }

    /// Runs it to the end (at most [`DEADLINE`]) and returns what it printed.
    pub fn run(mut self) -> Run {
        let shown = format!(
            "handbook {}",
            self.command
                .get_args()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let _busy = alone::busy();
        let mut group = Group::spawn("handbook", &mut self.command);
        // Read while it runs: a full pipe would stop it as surely as a hang.
        let (stdout, stderr) = group.pipes();
        let (stdout, stderr) = (read_all(stdout), read_all(stderr));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = group.exited() {
                break status;
            }
            if started.elapsed() > DEADLINE {
                drop(group);
                panic!("`{shown}` did not finish within {DEADLINE:?}: it hangs");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let text = |bytes: Vec<u8>, what: &str| {
            String::from_utf8(bytes).unwrap_or_else(|err| panic!("`{shown}`: {what}: {err}"))
        };
        Run {
            code: status.code(),
            stdout: text(stdout.join().unwrap(), "stdout"),
            stderr: text(stderr.join().unwrap(), "stderr"),
            shown,
        }
    }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// A finished command: its exit code (`None` when a signal ended it), stdout and stderr.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// The command line, for failure messages.
    shown: String,
}

impl Run {
    /// Asserts that it exited with `code`.
    pub fn code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "{}", self.described());
        self
    }

    /// Asserts that it succeeded (exit code 0).
    pub fn success(&self) -> &Run {
        self.code(0)
    }

    /// Asserts that it did not succeed (any exit code but 0, or a signal).
    pub fn failure(&self) -> &Run {
        assert_ne!(self.code, Some(0), "{}", self.described());
        self
    }

    /// Asserts that stdout is `expected`, word for word.
    pub fn stdout_is(&self, expected: &str) -> &Run {
        assert_eq!(self.stdout, expected, "stdout of `{}`", self.shown);
        self
    }

    /// Asserts that stderr is `expected`, word for word.
    pub fn stderr_is(&self, expected: &str) -> &Run {
        assert_eq!(self.stderr, expected, "stderr of `{}`", self.shown);
        self
    }

    /// The problems printed on stderr, one string per problem (its help lines included),
    /// without the summary line (`error: the build failed…`, `error: 11 errors…`).
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = Vec::new();
        for line in self.stderr.lines() {
            match problems.last_mut() {
                Some(last) if line.starts_with("  ") => {
                    last.push('\n');
                    last.push_str(line);
                }
                _ if line.starts_with("error: ") => {}
                _ => problems.push(line.to_string()),
            }
        }
        problems
    }

    fn described(&self) -> String {
        format!(
            "`{}` exited with {:?}\n--- stdout:\n{}--- stderr:\n{}",
            self.shown, self.code, self.stdout, self.stderr
        )
    }
}
