//! The handbook's own files, and nothing else: walking `content/`, `templates/` and `static/`,
//! and opening what the walk found.
//!
//! A deploy preview builds whatever a merge request holds, and a merge request can hold a
//! symbolic link to `/proc/self/environ` or a named pipe. So:
//!
//! - a symbolic link is followed only when its fully resolved target (every link of a chain
//!   resolved) is inside the handbook's folder, outside any hidden file or folder (`.git/`,
//!   `.env`) and outside the folder the site is built into; a link to a folder is walked as a
//!   folder, unless it leads back to a folder that holds it (a loop). Anything else is an error
//!   at the link's path, and the target is never opened.
//! - a named pipe, socket or device is never opened (opening a pipe waits for a writer
//!   forever): a warning, and the file is skipped.
//! - a file is opened with `O_NOFOLLOW | O_NONBLOCK` at the resolved path the walk found (on
//!   Linux with `openat2`'s `RESOLVE_NO_SYMLINKS`, so that no folder of the path may have
//!   become a link either), and read only if `fstat` says it is a regular file: a file
//!   replaced between the walk and the read is an error, not a leak or a hang.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The handbook's folder, resolved: what a link must stay inside.
#[derive(Debug, Clone)]
pub struct Scope {
    root: PathBuf,
}

/// What a path of the handbook's folders is, links resolved.
#[derive(Debug)]
pub enum Entry {
    /// A regular file, to be read at this path (the link's resolved target for a link).
    File(PathBuf),
    /// A folder, to be walked at this path (resolved).
    Folder(PathBuf),
    /// A named pipe, socket or device, or a link to one: a warning, skipped.
    Skipped(Diagnostic),
    /// A link handbook does not follow: an error at the link's path.
    Refused(Diagnostic),
}

impl Scope {
    /// The scope of the handbook in `root`.
    pub fn new(root: &Path) -> io::Result<Scope> {
        Ok(Scope {
            root: root.canonicalize()?,
        })
    }

    /// The resolved root: every path [`list`] returns starts with it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What `path` is (shown as `shown` in messages), without opening it. `None` when there
    /// is nothing at `path`.
    pub fn inspect(&self, shown: &str, path: &Path) -> Option<Entry> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        let kind = meta.file_type();
        Some(if kind.is_symlink() {
            self.follow(shown, path)
        } else if kind.is_dir() {
            Entry::Folder(path.to_path_buf())
        } else if kind.is_file() {
            Entry::File(path.to_path_buf())
        } else {
            Entry::Skipped(special(shown, &meta))
        })
    }

    /// [`Scope::inspect`] for a path under the root whose folders may have become links since
    /// they were walked (a change `handbook serve` is told about): its folder is resolved and
    /// checked first.
    pub fn inspect_within(&self, shown: &str, path: &Path) -> Option<Entry> {
        let name = path.file_name()?;
        let folder = path.parent()?.canonicalize().ok()?;
        if folder != self.root
            && let Some(refusal) = self.refusal(shown, &format!("`{}`", folder.display()), &folder)
        {
            return Some(Entry::Refused(refusal));
        }
        self.inspect(shown, &folder.join(name))
    }

    /// Resolves the symbolic link at `link`, by the rules of this module.
    fn follow(&self, shown: &str, link: &Path) -> Entry {
        let written =
            std::fs::read_link(link).map_or_else(|_| "?".to_string(), |t| t.display().to_string());
        let target = match link.canonicalize() {
            Ok(target) => target,
            Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {
                return Entry::Refused(
                    Diagnostic::error(
                        shown,
                        format!("this is a symbolic link to `{written}`, which leads back to itself through other links"),
                    )
                    .help("point the link at a file, or remove it"),
                );
            }
            Err(_) => {
                return Entry::Refused(
                    Diagnostic::error(
                        shown,
                        format!("this is a symbolic link to `{written}`, which does not exist"),
                    )
                    .help("point the link at a file of the handbook, or remove it"),
                );
            }
        };
        // The link as written, and where it leads when that is not the same.
        // (inside the handbook, relative to its folder).
        let resolved = target.strip_prefix(&self.root).unwrap_or(&target);
        let named = if Path::new(&written) == resolved {
            format!("`{written}`")
        } else {
            format!("`{written}` (`{}`)", resolved.display())
        };
        if let Some(refusal) = self.refusal(shown, &named, &target) {
            return Entry::Refused(refusal);
        }
        match std::fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => Entry::Folder(target),
            Ok(meta) if meta.is_file() => Entry::File(target),
            Ok(meta) => Entry::Skipped(special(shown, &meta)),
            Err(err) => Entry::Refused(Diagnostic::error(
                shown,
                format!("cannot read the target of this symbolic link: {err}"),
            )),
        }
    }

    /// Why the resolved `target` of the link at `shown` may not be read, if it may not.
    fn refusal(&self, shown: &str, named: &str, target: &Path) -> Option<Diagnostic> {
        let Ok(inside) = target.strip_prefix(&self.root) else {
            return Some(
                Diagnostic::error(
                    shown,
                    format!(
                        "this is a symbolic link to {named}, outside the handbook's folder: handbook never reads it"
                    ),
                )
                .help("a build publishes what it reads: copy the file into the handbook in place of the link if it is meant to be published"),
            );
        };
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            return Some(
                Diagnostic::error(
                    shown,
                    format!("this is a symbolic link to {named}, a hidden file or folder of the handbook (its name starts with `.`, like `.git/` or `.env`): handbook never reads those"),
                )
                .help("copy what is meant to be published into a file that is not hidden, and link to that, or remove the link"),
            );
        }
        if self.is_output(target) {
            return Some(
                Diagnostic::error(
                    shown,
                    format!("this is a symbolic link to {named}, inside a folder handbook builds the site into"),
                )
                .help("link to the source of that file in `content/` or `static/` instead"),
            );
        }
        None
    }

    /// Whether `path` (resolved, inside the root) is in, or is, a folder handbook writes its
    /// output into: one with handbook's hidden folder beside it (or, as builds before that
    /// made them, its marker file inside).
    fn is_output(&self, path: &Path) -> bool {
        path.ancestors()
            .take_while(|dir| dir.starts_with(&self.root) && *dir != self.root)
            .any(|dir| home_dir(dir).is_dir() || dir.join(".handbook-output").exists())
    }
}

/// Dot files, editor swap and backup files: never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
}

/// `.public.handbook` beside `public`: everything handbook keeps between builds of that
/// output folder.
pub fn home_dir(target: &Path) -> PathBuf {
    beside(target, ".", ".handbook")
}

/// The path beside `path` named `{before}{its name}{after}`.
pub fn beside(path: &Path, before: &str, after: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or("output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{before}{name}{after}"))
}

/// The path to read file `name` of the handbook's folder (`handbook.yml`) at, by the rules of
/// this module: a link out of the handbook, or a pipe, is an error at `name` (a pipe would
/// make the command wait forever). `None` when there is no such file (or `root` is not
/// there): reading it then says why.
pub fn own_file(root: &Path, name: &str) -> Result<Option<PathBuf>, Diagnostic> {
    let Ok(scope) = Scope::new(root) else {
        return Ok(None);
    };
    match scope.inspect(name, &scope.root.join(name)) {
        Some(Entry::File(real)) => Ok(Some(real)),
        Some(Entry::Refused(d)) => Err(d),
        Some(Entry::Skipped(d)) => Err(Diagnostic::error(
            name,
            d.message
                .replace("handbook skips it", "handbook needs the file itself"),
        )
        .help(format!("replace it with the file `{name}`"))),
        Some(Entry::Folder(_)) | None => Ok(None),
    }
}

/// The warning for a file that is not a file: a pipe, a socket, a device.
fn special(shown: &str, meta: &std::fs::Metadata) -> Diagnostic {
    Diagnostic::warning(
        shown,
        format!("{}, not a file: handbook skips it", what_is(meta)),
    )
    .help("handbook never opens one (opening a named pipe waits for a writer forever); remove it from the handbook")
}

/// What a file that is not a regular file or a folder is, in words.
fn what_is(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// A folder still to walk, found through links or not.
struct Pending {
    /// The folder's resolved path.
    dir: PathBuf,
    /// Its path relative to the walked folder, `/`-separated, with a trailing `/` (or empty).
    rel: String,
    /// The folders that held the links followed to get here: following a link to one of them,
    /// or to a folder above one, would walk the same link again.
    trail: std::rc::Rc<Vec<PathBuf>>,
    /// Whether a link was followed to get here (and folders handbook writes into may appear).
    linked: bool,
}

/// Every file under `root/folder`, as (path relative to the folder, `/`-separated; resolved
/// path to read), in the order of a walk sorted by name (a folder's files where its name
/// sorts). Hidden and editor files and folders are skipped ([`is_ignored`]),
/// and so are names `skip` refuses (given the relative path); links, pipes and unreadable
/// entries are handled as the module says, their problems added to `diags`. Nothing when the
/// folder does not exist.
pub fn list(
    root: &Path,
    folder: &str,
    skip: &dyn Fn(&str) -> bool,
    diags: &mut Diagnostics,
) -> Vec<(String, PathBuf)> {
    let scope = match Scope::new(root) {
        Ok(scope) => scope,
        Err(err) => {
            diags.push(Diagnostic::error(folder, format!("cannot read: {err}")));
            return Vec::new();
        }
    };
    let path = scope.root.join(folder);
    // The folder itself may be a link, followed by the same rules.
    let dir = match scope.inspect(folder, &path) {
        Some(Entry::Folder(dir)) => dir,
        Some(Entry::Skipped(d) | Entry::Refused(d)) => {
            diags.push(d);
            return Vec::new();
        }
        Some(Entry::File(_)) | None => return Vec::new(),
    };
    let mut files = Vec::new();
    let mut stack = vec![Pending {
        linked: dir != path,
        dir,
        rel: String::new(),
        trail: std::rc::Rc::new(Vec::new()),
    }];
    while let Some(pending) = stack.pop() {
        let folders = list_one(&scope, folder, &pending, skip, &mut files, diags);
        // Depth first, in name order: the first folder on top of the stack.
        stack.extend(folders.into_iter().rev());
    }
    files
}

/// Adds the files of one folder of the walk to `files`; returns its folders to walk.
fn list_one(
    scope: &Scope,
    folder: &str,
    pending: &Pending,
    skip: &dyn Fn(&str) -> bool,
    files: &mut Vec<(String, PathBuf)>,
    diags: &mut Diagnostics,
) -> Vec<Pending> {
    let shown = format!("{folder}/{}", pending.rel.trim_end_matches('/'));
    let names = match sorted_names(&pending.dir) {
        Ok(names) => names,
        Err(err) => {
            diags.push(Diagnostic::error(shown, format!("cannot read: {err}")));
            return Vec::new();
        }
    };
    let mut folders = Vec::new();
    for (name, is_file) in names {
        let Some(name) = name.to_str().map(str::to_string) else {
            diags.push(Diagnostic::error(
                format!("{shown}/{}", name.to_string_lossy()),
                "file name is not valid UTF-8; rename the file",
            ));
            continue;
        };
        let rel = format!("{}{name}", pending.rel);
        if is_ignored(&name) || skip(&rel) {
            continue;
        }
        let shown = format!("{folder}/{rel}");
        let path = pending.dir.join(&name);
        // A regular file needs no second look: it is opened refusing links and anything that
        // is not a regular file, whatever it became since it was listed.
        let entry = match is_file {
            true => Some(Entry::File(path.clone())),
            false => scope.inspect(&shown, &path),
        };
        match entry {
            None => {}
            Some(Entry::File(real)) => files.push((rel, real)),
            Some(Entry::Folder(real)) => {
                if let Some(next) = enter(scope, pending, &path, real, rel, &shown, diags) {
                    folders.push(next);
                }
            }
            Some(Entry::Skipped(d) | Entry::Refused(d)) => diags.push(d),
        }
    }
    folders
}

/// The walk of folder `real` (at `path`, `rel` in the walk), unless it is a loop or an output
/// folder.
fn enter(
    scope: &Scope,
    parent: &Pending,
    path: &Path,
    real: PathBuf,
    rel: String,
    shown: &str,
    diags: &mut Diagnostics,
) -> Option<Pending> {
    if real.as_path() == path {
        // A folder, not a link: only a walk through a link can reach an output folder.
        if parent.linked && scope.is_output(&real) {
            return None;
        }
        return Some(Pending {
            dir: real,
            rel: format!("{rel}/"),
            trail: parent.trail.clone(),
            linked: parent.linked,
        });
    }
    let loops = std::iter::once(&parent.dir)
        .chain(parent.trail.iter())
        .any(|held| held.starts_with(&real));
    if loops {
        let named = match real.strip_prefix(&scope.root) {
            Ok(inside) if inside.as_os_str().is_empty() => ".".to_string(),
            Ok(inside) => inside.display().to_string(),
            Err(_) => real.display().to_string(),
        };
        diags.push(
            Diagnostic::error(
                shown,
                format!("this is a symbolic link to the folder `{named}`, which holds this link: following it would never end"),
            )
            .help("link to a folder that does not hold the link, or remove it"),
        );
        return None;
    }
    let mut trail = parent.trail.as_ref().clone();
    trail.push(parent.dir.clone());
    Some(Pending {
        dir: real,
        rel: format!("{rel}/"),
        trail: std::rc::Rc::new(trail),
        linked: true,
    })
}

/// The names in folder `dir`, sorted.
/// The names in `dir`, sorted, each with whether the listing itself says it is a regular file
/// (most systems say what each entry is as they list it, which spares a call per file).
fn sorted_names(dir: &Path) -> io::Result<Vec<(std::ffi::OsString, bool)>> {
    let mut names = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| (e.file_name(), e.file_type().is_ok_and(|t| t.is_file()))))
        .collect::<io::Result<Vec<_>>>()?;
    names.sort();
    Ok(names)
}

/// Opens the regular file at `path` for reading, never through a symbolic link and never
/// waiting: a link, a pipe or anything else that is not a regular file is an error.
pub fn open(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let file = open_no_links(path).map_err(|err| {
        if err.raw_os_error() == Some(libc::ELOOP) {
            io::Error::other("it is a symbolic link now (it was replaced while handbook read it)")
        } else {
            err
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "{}, not a file: handbook does not read it",
            what_is(&meta)
        )));
    }
    Ok((file, meta))
}

/// The bytes of the regular file at `path`, opened as [`open`] does.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let (mut file, meta) = open(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Through `take`: `File::read_to_end` would ask the system for the size and the position
    // again, two more calls for each of a handbook's 10,000 files.
    Read::by_ref(&mut file)
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of the regular file at `path`, opened as [`open`] does.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "the file is not valid UTF-8 text",
        )
    })
}

const OPEN_FLAGS: libc::c_int =
    libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;

/// `open(2)` with [`OPEN_FLAGS`]; on Linux `openat2(2)` refusing a link anywhere in the path,
/// when the kernel has it.
fn open_no_links(path: &Path) -> io::Result<File> {
    #[cfg(target_os = "linux")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static NO_OPENAT2: AtomicBool = AtomicBool::new(false);
        if !NO_OPENAT2.load(Ordering::Relaxed) {
            match openat2(path) {
                Err(err)
                    if matches!(
                        err.raw_os_error(),
                        Some(libc::ENOSYS | libc::EPERM | libc::E2BIG)
                    ) =>
                {
                    // An old kernel, or a sandbox that forbids the call.
                    NO_OPENAT2.store(true, Ordering::Relaxed);
                }
                done => return done,
            }
        }
    }
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(OPEN_FLAGS)
        .open(path)
}

#[cfg(target_os = "linux")]
fn openat2(path: &Path) -> io::Result<File> {
    use std::os::fd::FromRawFd;
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL in a path"))?;
    // SAFETY: open_how is plain data; zeroed is its documented default.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = OPEN_FLAGS as u64;
    how.resolve = libc::RESOLVE_NO_SYMLINKS;
    // SAFETY: a valid C string and a valid open_how of the size passed.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = libc::c_int::try_from(fd).map_err(|_| io::Error::other("bad file descriptor"))?;
    // SAFETY: the kernel just gave us this descriptor, owned by nobody else.
    Ok(unsafe { File::from_raw_fd(fd) })
}
