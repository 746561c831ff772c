//! Running a program as a child process and measuring it: wall time, CPU time and peak RSS
//! of that one child, read with `wait4`. Shared by `benches/build.rs` and `benches/hugo.rs`,
//! each of which includes this file with `#[path]`.

// Each bench uses a different part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One finished run of a child process.
pub struct Run {
    pub wall: Duration,
    /// Peak resident set size of the child, in KiB (Linux `ru_maxrss`).
    pub max_rss_kib: i64,
    /// CPU time of the child (all its threads) in user space, and in the kernel on its behalf
    /// (creating files and folders, mostly).
    pub user: Duration,
    pub sys: Duration,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// User and system CPU time together.
    pub fn cpu(&self) -> Duration {
        self.user + self.sys
    }
}

/// Runs `command` once, its stdout and stderr going to `logs` with the extensions `.stdout`
/// and `.stderr`, and waits for it with `wait4` to get this child's own rusage. A failed run
/// (a non-zero exit or a signal) prints the command's output and panics: a bench must not
/// report a figure of a run that failed.
pub fn run_measured(command: &mut Command, logs: &Path) -> Run {
    let out_log = logs.with_extension("stdout");
    let err_log = logs.with_extension("stderr");
    let what = format!("{command:?}");
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_log).expect("create stdout log"))
        .stderr(fs::File::create(&err_log).expect("create stderr log"))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
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
        eprintln!("\n==== {what} failed ({how}) ====");
        eprintln!("---- stdout ----\n{stdout}");
        eprintln!("---- stderr ----\n{stderr}");
        panic!("{what} failed");
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        user: tv(usage.ru_utime),
        sys: tv(usage.ru_stime),
        stdout,
        stderr,
    }
}

/// The bytes of the regular files under `dir`, and of those whose name ends with `suffix`.
pub fn folder_bytes(dir: &Path, suffix: &str) -> (u64, u64) {
    let (mut all, mut matching) = (0, 0);
    let Ok(entries) = fs::read_dir(dir) else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let (a, m) = folder_bytes(&entry.path(), suffix);
            all += a;
            matching += m;
        } else if kind.is_file() {
            let len = entry.metadata().map_or(0, |m| m.len());
            all += len;
            if entry.file_name().to_string_lossy().ends_with(suffix) {
                matching += len;
            }
        }
    }
    (all, matching)
}

/// Deletes a folder when dropped, also when a failed build panics.
pub struct RemoveDirOnDrop(pub PathBuf);

impl Drop for RemoveDirOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `target/bench-sites` (under `CARGO_TARGET_DIR` when it is set), created if need be:
/// where the generated sites are kept between benches.
pub fn bench_sites_dir(manifest_dir: &str) -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(manifest_dir).join("target"));
    let base = target_dir.join("bench-sites");
    fs::create_dir_all(&base).expect("create target/bench-sites");
    base.canonicalize()
        .expect("canonicalize target/bench-sites")
}

/// Runs `handbook build` (the binary `bin`) once on the handbook at `root`, into `out`
/// ([`run_measured`]).
pub fn run_build(bin: &Path, root: &Path, out: &Path, logs: &Path) -> Run {
    run_measured(
        Command::new(bin)
            .arg("build")
            .arg("--root")
            .arg(root)
            .arg("--output-dir")
            .arg(out),
        logs,
    )
}

/// [`run_build`] into a folder that does not exist: `out` and its home beside it
/// (`.<name>.handbook`) are deleted first, so that every page is rendered and written.
pub fn run_clean_build(bin: &Path, root: &Path, out: &Path, logs: &Path) -> Run {
    let _ = fs::remove_dir_all(out);
    let _ = fs::remove_dir_all(out.with_file_name(format!(
        ".{}.handbook",
        out.file_name().unwrap().to_string_lossy()
    )));
    run_build(bin, root, out, logs)
}

/// A warm-up [`run_clean_build`] (the file cache, the binary's pages) of the variant `which`:
/// prints its wall time and panics with its stderr if it warned, as a generated site never
/// should (a warning points to a generator bug).
pub fn warm_up(bin: &Path, root: &Path, out: &Path, logs: &Path, which: &str) -> Run {
    let run = run_clean_build(bin, root, out, logs);
    let warnings = run
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .count();
    println!(
        "warm-up {which}: {:.2} s wall, {warnings} warnings",
        run.wall.as_secs_f64()
    );
    assert_eq!(warnings, 0, "{}", run.stderr);
    run
}
