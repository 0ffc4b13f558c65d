//! The data directory's permissions and the process's file-descriptor limit.
//!
//! Everything the server keeps (the SQLite database, its WAL and shared-memory files, the
//! JWT secret) holds what people wrote and the key to their tokens: only the server's own
//! account may read it. SQLite gives the WAL and `-shm` files the database file's mode, so
//! creating the database 0600 covers them; files left broader by an older version are
//! narrowed (with a warning) rather than refused, since nothing in them lets anyone act as
//! someone else. (The secret is different: see `auth::load_or_create_secret`.)

use std::path::{Path, PathBuf};

/// Creates the data directory (0700 when this creates it).
pub fn create_data_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Makes the database file exist with mode 0600 before SQLite opens it, and narrows the
/// database's files to 0600 when they are broader.
pub fn private_database(url: &str) -> std::io::Result<()> {
    let Some(db) = sqlite_file(url) else {
        return Ok(());
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !db.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(&db)?;
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            let path = PathBuf::from(name);
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777),
                    "the database file could be read by others; setting 0600");
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}

/// Raises the soft open-file limit to the hard one and returns the result. Every
/// connection is a descriptor: a shell's usual soft 1024 would cap a café at ~1,000 people.
pub fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => {
            tracing::info!(
                open_files = n,
                "open-file limit: about {} simultaneous connections",
                n.saturating_sub(64)
            );
            Some(n)
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            None
        }
    }
}
