//! A child process in its own process group, killed with everything it started when the test
//! ends, passing or not: by the group's id (the child's pid), never by name.
//!
//! ```ignore
//! let mut command = Command::new(BIN);
//! let mut server = Group::spawn("handbook serve", command.args(["serve", "--port", "0"]));
//! let lines = server.stdout_lines();
//! let first = lines.recv_timeout(PATIENCE).unwrap_or_else(|_| panic!("{}", server.output()));
//! ```
//!
//! Used by the command runner (`cmd.rs`), `handbook serve` (`serve.rs`) and the browser's
//! chromedriver (`browser.rs`); std and libc only: benches/search.rs includes this file too.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// A child process in a new process group, which is killed (with whatever it started, such as
/// chromedriver's browser) and waited for on drop.
pub struct Group {
    child: Child,
    name: &'static str,
    /// Whether the child was waited for: its pid, the group's id, may then be another's.
    reaped: bool,
    /// What the process printed (stdout and stderr, as the lines came), for failure messages.
    printed: Arc<Mutex<String>>,
}

impl Group {
    /// Starts `command` in a new process group, stdin closed and stdout and stderr piped: read
    /// them with [`Group::stdout_lines`] and [`Group::keep_stderr`], [`Group::keep_output`] or
    /// [`Group::pipes`].
    pub fn spawn(name: &'static str, command: &mut Command) -> Group {
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {name}: {err}"));
        Group {
            child,
            name,
            reaped: false,
            printed: Arc::default(),
        }
    }

    /// The process's id, which is also its group's.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads stdout line by line, keeping each line for [`Group::output`], and sends each to
    /// the returned receiver.
    pub fn stdout_lines(&mut self) -> Receiver<String> {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let printed = self.printed.clone();
        for_each_line(stdout, move |line| {
            push_line(&printed, &line);
            let _ = tx.send(line);
        });
        rx
    }

    /// Reads stderr line by line into the returned list (and [`Group::output`]).
    pub fn keep_stderr(&mut self) -> Arc<Mutex<Vec<String>>> {
        let stderr = self.child.stderr.take().expect("piped stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (kept, printed) = (lines.clone(), self.printed.clone());
        for_each_line(stderr, move |line| {
            push_line(&printed, &line);
            kept.lock().unwrap().push(line);
        });
        lines
    }

    /// Keeps stdout and stderr for [`Group::output`] only.
    pub fn keep_output(&mut self) {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let stderr = self.child.stderr.take().expect("piped stderr");
        for pipe in [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)] {
            let printed = self.printed.clone();
            for_each_line(pipe, move |line| push_line(&printed, &line));
        }
    }

    /// Stdout and stderr as they are, to read whole.
    pub fn pipes(&mut self) -> (ChildStdout, ChildStderr) {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let stderr = self.child.stderr.take().expect("piped stderr");
        (stdout, stderr)
    }

    /// Everything the process printed so far, headed by its name.
    pub fn output(&self) -> String {
        self.printed()()
    }

    /// [`Group::output`] as a function that outlives a borrow of the group, for
    /// `Browser::on_failure`.
    pub fn printed(&self) -> impl Fn() -> String + 'static {
        let (name, printed) = (self.name, self.printed.clone());
        move || format!("--- {name} printed:\n{}", printed.lock().unwrap())
    }

    /// Whether the process has exited, and how.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        let status = self.child.try_wait().ok().flatten();
        self.reaped |= status.is_some();
        status
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.reaped {
            return;
        }
        // The group this test made, by its id (the child's pid, not yet waited for, so not
        // anyone else's): never anything by name.
        let group = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) with a negative pid signals that process group only.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

fn push_line(printed: &Mutex<String>, line: &str) {
    let mut printed = printed.lock().unwrap();
    printed.push_str(line);
    printed.push('\n');
}

/// Calls `each` with every line `from` yields, in a thread, until it ends.
fn for_each_line(from: impl Read + Send + 'static, mut each: impl FnMut(String) + Send + 'static) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            each(line);
        }
    });
}
