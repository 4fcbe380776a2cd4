//! Keeping the data: `backoffice backup --to FILE` (SQLite: an online, consistent copy made by
//! SQLite itself while the server keeps serving; PostgreSQL: `pg_dump` is the tool, and the
//! command to run is printed), `backoffice restore --from FILE` (SQLite: checks the copy, then
//! puts it in place of the database — never while a server uses it), and `backoffice migrate`
//! (`--status` lists the migrations applied and pending).
//!
//! "In use" is a shared lock every serving process holds on `<database file>.lock` for its
//! life; a restore takes it exclusively or refuses.

use std::{
    fs::{File, OpenOptions},
    path::{Path, PathBuf},
};

use crate::server::db::{Db, Sql};

/// The SQLite file a `sqlite:` URL names (without its `?options`), or `None` for PostgreSQL
/// and in-memory databases.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The shared lock a serving process holds on its SQLite database (dropped, it is released).
pub fn hold_in_use(db: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(lock_path(db))?;
    file.lock_shared()?;
    Ok(file)
}

/// Copies the live database to `to`, consistent as of one moment, while it keeps serving.
/// Answers what to tell the user.
pub async fn backup(db: &Db, url: &str, to: &Path) -> Result<String, String> {
    if sqlite_path(url).is_none() {
        return Err(use_pg_dump(to));
    }
    if to.exists() {
        return Err(format!("backup: {} exists already; name a new file", to.display()));
    }
    let target = to.to_str().ok_or("backup: the file name is not valid UTF-8")?;
    // VACUUM INTO writes a compact copy of one read transaction's snapshot: writers go on.
    let sql = format!("VACUUM INTO '{}'", target.replace('\'', "''"));
    db.execute(&Sql::new(sql)).await.map_err(|e| format!("backup: {e}"))?;
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(format!("backed up to {} ({size} bytes)", to.display()))
}

/// What to do instead for a PostgreSQL database: its own tools, with the command to run.
pub fn use_pg_dump(to: &Path) -> String {
    format!(
        "backup: this is a PostgreSQL database; back it up with pg_dump, for example:\n    \
         pg_dump --format=custom --file {} \"$DATABASE_URL\"\n\
         and restore it with pg_restore --clean --dbname \"$DATABASE_URL\" {}",
        to.display(),
        to.display()
    )
}

/// Checks that `from` is a sound SQLite database of this application (integrity, migrations).
async fn check_backup(from: &Path) -> Result<usize, String> {
    let url = format!("sqlite:{}", from.display());
    let db = Db::open(&url).await.map_err(|e| format!("restore: {} cannot be opened: {e}", from.display()))?;
    let checked: Result<(String,), _> = db.fetch_one(&Sql::new("PRAGMA quick_check")).await;
    let applied = db.migration_status().await;
    db.close().await;
    match checked {
        Ok((ok,)) if ok == "ok" => {}
        Ok((problem,)) => return Err(format!("restore: {} is damaged: {problem}", from.display())),
        Err(e) => return Err(format!("restore: {} is not an SQLite database: {e}", from.display())),
    }
    let applied = applied.map_err(|e| format!("restore: {}: {e}", from.display()))?;
    let n = applied.iter().filter(|m| m.applied).count();
    if n == 0 {
        return Err(format!("restore: {} is not a backoffice database", from.display()));
    }
    Ok(n)
}

/// Puts the backup `from` in place of the SQLite database `url` names. Refused while a server
/// uses the database; the copy is checked first, so a bad file changes nothing.
pub async fn restore(url: &str, from: &Path) -> Result<String, String> {
    let target = sqlite_path(url)
        .ok_or("restore: only an SQLite database is restored here; restore PostgreSQL with pg_restore")?;
    if !from.is_file() {
        return Err(format!("restore: {} is not a file", from.display()));
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("restore: {e}"))?;
    }
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(&target))
        .map_err(|e| format!("restore: {e}"))?;
    if lock.try_lock().is_err() {
        return Err(format!("restore: {} is in use by a running server; stop it first", target.display()));
    }
    // The copy is checked where it will go live from, so the backup itself is never written to.
    let staged = target.with_extension("restoring");
    std::fs::copy(from, &staged).map_err(|e| format!("restore: {e}"))?;
    let applied = match check_backup(&staged).await {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.replace(&staged.display().to_string(), &from.display().to_string()));
        }
    };
    File::open(&staged).and_then(|f| f.sync_all()).map_err(|e| format!("restore: {e}"))?;
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&staged, &target).map_err(|e| format!("restore: {e}"))?;
    drop(lock);
    Ok(format!("restored {} from {} ({applied} migrations applied)", target.display(), from.display()))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:data/b.db").unwrap().to_str(), Some("data/b.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/b.db?mode=rwc").unwrap().to_str(), Some("/tmp/b.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
