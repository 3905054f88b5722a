//! Writing the file a user named with `-o`: the file itself (through symlinks), never the database.
//!
//! A regular file (or a new one) is written to a uniquely named temporary file beside it, synced, and
//! renamed over it, so a failed export leaves the old file as it was and two exports at once never share
//! a temporary file; the temporary file is removed on failure. A pipe, a terminal or a device
//! (`/dev/null`, `/dev/stdout`) is written directly: renaming over it would replace it. A path that is
//! the database or one of its `-wal` / `-shm` files, by any name (a symlink, a hard link, `./x.db`), is
//! refused before anything is written.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use claimtrack::{Error, Result};

/// Symlink hops followed before giving up (Linux's own limit).
const MAX_HOPS: usize = 40;

/// Writes the output named `path` with `write`, refusing a path that is the database at `db`.
pub fn write_file(path: &Path, db: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    // The kernel follows the links itself here, /proc/self/fd ones (/dev/stdout) included.
    match fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(invalid(path, "is a directory")),
        Ok(m) if !m.is_file() => {
            refuse_database(path, path, db)?;
            // A pipe or a device: there is nothing to replace, only something to write to.
            let mut f = fs::OpenOptions::new().write(true).open(path)?;
            write(&mut f)?;
            f.flush()?;
            return Ok(());
        }
        _ => {}
    }
    let target = follow_links(path)?;
    refuse_database(path, &target, db)?;
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => replace(&target, Some(m.permissions()), write),
        Ok(_) => Err(invalid(path, "is not a regular file")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => replace(&target, None, write),
        Err(e) => Err(Error::Io(io::Error::new(
            e.kind(),
            format!("{}: {e}", path.display()),
        ))),
    }
}

fn invalid(path: &Path, why: &str) -> Error {
    Error::Invalid {
        field: "output",
        reason: format!("{} {why}", path.display()),
    }
}

/// The path a write to `path` lands on: symlinks (a dangling one included) followed to the file they
/// name.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_HOPS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(invalid(path, "is a chain of more than 40 symbolic links"))
}

/// `path` made absolute with every directory's symlinks resolved; the last component kept as it is
/// (it may not exist yet).
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = fs::canonicalize(path) {
        return Some(c);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(dir).ok()?.join(name))
}

/// Refuses an output that is the database, its `-wal` or its `-shm`, compared by canonical path and by
/// device and inode (a hard link has another path but the same inode).
fn refuse_database(shown: &Path, target: &Path, db: &Path) -> Result<()> {
    let target_canon = canonical(target);
    let target_meta = fs::metadata(target).ok();
    let db_canon = canonical(db);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let with = |p: &Path| {
            let mut s = OsString::from(p.as_os_str());
            s.push(suffix);
            PathBuf::from(s)
        };
        let same_path = match (&target_canon, &db_canon) {
            (Some(t), Some(d)) => *t == with(d),
            _ => false,
        };
        let same_file = match (&target_meta, fs::metadata(with(db))) {
            (Some(t), Ok(d)) => t.dev() == d.dev() && t.ino() == d.ino(),
            _ => false,
        };
        if same_path || same_file {
            let what = if suffix.is_empty() {
                "the database".to_string()
            } else {
                format!("the database's {suffix} file")
            };
            return Err(invalid(
                shown,
                &format!("is {what} ({}); give another output file", with(db).display()),
            ));
        }
    }
    Ok(())
}

/// Writes a regular file whole or not at all: a unique temporary file beside it, synced, then renamed
/// over it. An existing file keeps its permissions; a new one gets the usual `0666` less the umask.
fn replace(
    target: &Path,
    existing: Option<fs::Permissions>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| invalid(target, "names no file"))?;
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".claimtrack-partial")
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| Error::Io(io::Error::new(e.kind(), format!("{}: {e}", target.display()))))?;
    if let Some(p) = existing {
        tmp.as_file().set_permissions(p)?;
    }
    // On any error below, `tmp` is dropped and its file removed.
    let mut out = io::BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out.into_inner().map_err(|e| Error::Io(e.into_error()))?;
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| Error::Io(e.error))?;
    Ok(())
}
