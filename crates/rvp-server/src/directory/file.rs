//! The directory file: TOML, read whole, replaced atomically on every change.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::credentials::{CredentialForm, StoredCredentials, from_hex, to_hex};
use super::entry::check_password;
use super::error::{DirectoryError, FieldError, Location};
use super::memory::{Table, demo_entries};
use super::{DigestAlgorithm, Directory, NewPrincipal, PrincipalEntry};

/// The only format version there is.
pub const FORMAT_VERSION: u32 = 1;

/// Most credential forms per principal (`alias`, `alias@domain`, `NT\alias`,
/// `NT/alias`).
const MAX_FORMS: usize = 4;

/// Bounds on what a directory file may hold.
///
/// ```
/// use rvp_server::directory::DirectoryLimits;
///
/// let mut limits = DirectoryLimits::default();
/// limits.max_principals = 10;
/// assert_eq!(limits.max_file_bytes, 16 * 1024 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectoryLimits {
    /// Largest file read, in bytes (default 16 MiB).
    pub max_file_bytes: u64,
    /// Most principals held (default 100,000; Exchange 2000 hosted 7,500 users per home
    /// server).
    pub max_principals: usize,
}

impl Default for DirectoryLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 16 * 1024 * 1024,
            max_principals: 100_000,
        }
    }
}

/// A directory kept in a TOML file (the format is in the [module docs](super)).
///
/// The whole file is read when opened (and by [`reload`](Self::reload)); lookups are
/// served from memory under a read lock. Every change ([`add`](Self::add),
/// [`remove`](Self::remove), [`set_password`](Self::set_password)) writes the complete
/// new file to a temporary file in the same directory, syncs it, renames it over the old
/// one and syncs the directory, so a crash leaves either the old or the new file, never
/// a torn one; the in-memory copy changes only once the file is written. Changes made by
/// one `FileDirectory` are serialised; two processes editing the same file at the same
/// moment are not coordinated (the last rename wins), so edit with one
/// `rvp-server user` command at a time and [`reload`](Self::reload) a running server.
///
/// A new file is created with mode `0600` on Unix (an HA1 is password-equivalent for
/// Digest); a replaced file keeps the old file's permissions.
#[derive(Debug)]
pub struct FileDirectory {
    path: PathBuf,
    limits: DirectoryLimits,
    table: RwLock<Table>,
    /// Held across read-modify-write so changes do not overwrite each other.
    edit: Mutex<()>,
}

impl FileDirectory {
    /// Opens and reads an existing directory file, with the default limits.
    ///
    /// # Errors
    /// Any [`DirectoryError`] reading or validating the file.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, DirectoryError> {
        Self::open_with_limits(path, DirectoryLimits::default())
    }

    /// Opens and reads an existing directory file.
    ///
    /// # Errors
    /// Any [`DirectoryError`] reading or validating the file.
    pub fn open_with_limits(
        path: impl Into<PathBuf>,
        limits: DirectoryLimits,
    ) -> Result<Self, DirectoryError> {
        let path = path.into();
        let table = load(&path, &limits)?;
        Ok(Self {
            path,
            limits,
            table: RwLock::new(table),
            edit: Mutex::new(()),
        })
    }

    /// Creates a new, empty directory file; fails if the file exists.
    ///
    /// # Errors
    /// [`DirectoryError::Io`] (kind `AlreadyExists` when it exists).
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, DirectoryError> {
        Self::create_with(path.into(), Table::default())
    }

    /// Opens the directory file at `path`, first creating it with the demo principals
    /// ([`DEMO_USERS`](super::DEMO_USERS) in [`DEMO_DOMAIN`](super::DEMO_DOMAIN)) when it
    /// does not exist: the server's embedded default.
    ///
    /// # Errors
    /// Any [`DirectoryError`] creating or reading the file.
    pub fn open_or_create_demo(path: impl Into<PathBuf>) -> Result<Self, DirectoryError> {
        let path = path.into();
        if path.exists() {
            return Self::open(path);
        }
        let mut table = Table::default();
        for entry in demo_entries() {
            table.insert(entry, &Location::default())?;
        }
        Self::create_with(path, table)
    }

    /// Creates a new directory file holding `entries`, written once (adding many
    /// principals one by one with [`add`](Self::add) rewrites the file each time); fails
    /// if the file exists. The entries must fit `limits`, which the returned directory
    /// keeps (so a file larger than the default limits can be made and read back).
    ///
    /// # Errors
    /// [`DirectoryError::Duplicate`], [`DirectoryError::TooManyPrincipals`],
    /// [`DirectoryError::FileTooLarge`] when the rendered file exceeds
    /// `limits.max_file_bytes`, or [`DirectoryError::Io`] (kind `AlreadyExists` when the
    /// file exists).
    pub fn create_with_entries(
        path: impl Into<PathBuf>,
        entries: impl IntoIterator<Item = PrincipalEntry>,
        limits: DirectoryLimits,
    ) -> Result<Self, DirectoryError> {
        let path = path.into();
        let mut table = Table::default();
        for entry in entries {
            if table.len() >= limits.max_principals {
                return Err(DirectoryError::TooManyPrincipals {
                    at: Location {
                        path: Some(path.clone()),
                        line: None,
                    },
                    max: limits.max_principals,
                });
            }
            table.insert(entry, &Location::default())?;
        }
        let text = render(&table);
        if text.len() as u64 > limits.max_file_bytes {
            return Err(DirectoryError::FileTooLarge {
                path,
                size: text.len() as u64,
                max: limits.max_file_bytes,
            });
        }
        let mut dir = Self::create_with(path, table)?;
        dir.limits = limits;
        Ok(dir)
    }

    fn create_with(path: PathBuf, table: Table) -> Result<Self, DirectoryError> {
        if path.exists() {
            return Err(io_err(
                &path,
                "create",
                io::Error::from(io::ErrorKind::AlreadyExists),
            ));
        }
        write_atomic(&path, render(&table).as_bytes())?;
        Ok(Self {
            path,
            limits: DirectoryLimits::default(),
            table: RwLock::new(table),
            edit: Mutex::new(()),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The limits in force.
    pub fn limits(&self) -> DirectoryLimits {
        self.limits
    }

    /// Reads the file again, replacing the in-memory copy; on error the old copy stays.
    ///
    /// # Errors
    /// Any [`DirectoryError`] reading or validating the file.
    pub fn reload(&self) -> Result<(), DirectoryError> {
        let _edit = self.edit.lock().unwrap_or_else(PoisonError::into_inner);
        let table = load(&self.path, &self.limits)?;
        *self.table.write().unwrap_or_else(PoisonError::into_inner) = table;
        Ok(())
    }

    /// Adds a principal with the hashes of `password`, and saves.
    ///
    /// # Errors
    /// [`DirectoryError::InvalidField`], [`DirectoryError::Password`],
    /// [`DirectoryError::Duplicate`], [`DirectoryError::TooManyPrincipals`], or an I/O
    /// error saving.
    pub fn add(
        &self,
        new: NewPrincipal,
        password: &str,
    ) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        let entry = PrincipalEntry::from_password(new, password)?;
        self.edit(|t| {
            if t.len() >= self.limits.max_principals {
                return Err(DirectoryError::TooManyPrincipals {
                    at: self.location(None),
                    max: self.limits.max_principals,
                });
            }
            t.insert(entry, &Location::default())
        })
    }

    /// Removes a principal, and saves.
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], or an I/O error saving.
    pub fn remove(&self, domain: &str, alias: &str) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        self.edit(|t| t.remove(domain, alias))
    }

    /// Replaces a principal's hashes with those of `password` (same realm and NT
    /// domain), and saves.
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Password`], or an I/O error saving.
    pub fn set_password(
        &self,
        domain: &str,
        alias: &str,
        password: &str,
    ) -> Result<Arc<PrincipalEntry>, DirectoryError> {
        check_password(password)?;
        self.edit(|t| {
            let old = t
                .get(domain, alias)
                .ok_or_else(|| DirectoryError::NotFound {
                    alias: alias.to_owned(),
                    domain: domain.to_owned(),
                })?;
            t.replace(old.with_password(password)?)
        })
    }

    /// Every principal, ordered by domain, then alias.
    pub fn list(&self) -> Vec<Arc<PrincipalEntry>> {
        self.read().sorted()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `change` to a copy of the table, saves the copy, then installs it.
    fn edit<T>(
        &self,
        change: impl FnOnce(&mut Table) -> Result<T, DirectoryError>,
    ) -> Result<T, DirectoryError> {
        let _edit = self.edit.lock().unwrap_or_else(PoisonError::into_inner);
        let mut table = self.read().clone();
        let out = change(&mut table)?;
        write_atomic(&self.path, render(&table).as_bytes())?;
        *self.table.write().unwrap_or_else(PoisonError::into_inner) = table;
        Ok(out)
    }

    fn location(&self, line: Option<usize>) -> Location {
        Location {
            path: Some(self.path.clone()),
            line,
        }
    }
}

impl Directory for FileDirectory {
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>> {
        self.read().get(domain, alias)
    }

    fn principals(&self) -> Vec<Arc<PrincipalEntry>> {
        self.list()
    }
}

// ---------------------------------------------------------------------------------------
// Reading

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InDoc {
    version: Option<Spanned<u32>>,
    #[serde(default)]
    principal: Vec<Spanned<InPrincipal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InPrincipal {
    alias: Spanned<String>,
    domain: Spanned<String>,
    display_name: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
    home_server: Option<Spanned<String>>,
    nt_domain: Option<Spanned<String>>,
    realm: Option<Spanned<String>>,
    #[serde(default)]
    credentials: Vec<Spanned<InCredential>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InCredential {
    username: Spanned<String>,
    md5: Spanned<String>,
    sha256: Spanned<String>,
}

fn io_err(path: &Path, op: &'static str, source: io::Error) -> DirectoryError {
    DirectoryError::Io {
        path: path.to_owned(),
        op,
        source,
    }
}

/// Reads and validates a directory file.
fn load(path: &Path, limits: &DirectoryLimits) -> Result<Table, DirectoryError> {
    let file = File::open(path).map_err(|e| io_err(path, "open", e))?;
    let size = file.metadata().map_err(|e| io_err(path, "stat", e))?.len();
    let too_large = |size| DirectoryError::FileTooLarge {
        path: path.to_owned(),
        size,
        max: limits.max_file_bytes,
    };
    if size > limits.max_file_bytes {
        return Err(too_large(size));
    }
    // The file may grow between stat and read: read at most one byte past the limit.
    let mut bytes = Vec::new();
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_err(path, "read", e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|_| DirectoryError::NotUtf8 {
        path: path.to_owned(),
    })?;
    parse(&text, Some(path), limits)
}

/// Parses and validates the text of a directory file; `path` is for error messages.
pub(crate) fn parse(
    text: &str,
    path: Option<&Path>,
    limits: &DirectoryLimits,
) -> Result<Table, DirectoryError> {
    let at = |span: Option<Range<usize>>| Location {
        path: path.map(Path::to_owned),
        line: span.map(|s| line_col(text, s.start).0),
    };
    let doc: InDoc = toml::from_str(text).map_err(|e| {
        let span = e.span();
        DirectoryError::Syntax {
            at: at(span.clone()),
            column: span.map(|s| line_col(text, s.start).1),
            message: e.message().trim_end().to_owned(),
        }
    })?;
    if let Some(v) = &doc.version
        && *v.get_ref() != FORMAT_VERSION
    {
        return Err(DirectoryError::Syntax {
            at: at(Some(v.span())),
            column: Some(line_col(text, v.span().start).1),
            message: format!(
                "unsupported format version {} (this server reads version {FORMAT_VERSION})",
                v.get_ref()
            ),
        });
    }
    if doc.principal.len() > limits.max_principals {
        let span = doc.principal.get(limits.max_principals).map(Spanned::span);
        return Err(DirectoryError::TooManyPrincipals {
            at: at(span),
            max: limits.max_principals,
        });
    }
    let mut table = Table::default();
    for p in doc.principal {
        let span = p.span();
        let entry = principal(p.into_inner(), &at)?;
        // The location (a line count from the start of the text) only for an error:
        // computing it for every principal made loading quadratic in the file size.
        table
            .insert(entry, &Location::default())
            .map_err(|e| match e {
                DirectoryError::Duplicate { alias, domain, .. } => DirectoryError::Duplicate {
                    at: at(Some(span)),
                    alias,
                    domain,
                },
                other => other,
            })?;
    }
    Ok(table)
}

/// Validates one `[[principal]]`.
fn principal(
    p: InPrincipal,
    at: &impl Fn(Option<Range<usize>>) -> Location,
) -> Result<PrincipalEntry, DirectoryError> {
    // The span of each field, to point errors at the right line.
    let span_of = |field: &str| -> Option<Range<usize>> {
        let s = |v: &Option<Spanned<String>>| v.as_ref().map(Spanned::span);
        match field {
            "alias" => Some(p.alias.span()),
            "domain" => Some(p.domain.span()),
            "display_name" => s(&p.display_name),
            "email" => s(&p.email),
            "home_server" => s(&p.home_server),
            "nt_domain" => s(&p.nt_domain),
            "realm" => s(&p.realm),
            _ => None,
        }
    };
    let inner = |v: &Option<Spanned<String>>| v.as_ref().map(|v| v.get_ref().clone());
    let new = NewPrincipal {
        alias: p.alias.get_ref().clone(),
        domain: p.domain.get_ref().clone(),
        display_name: inner(&p.display_name),
        email: inner(&p.email),
        home_server: inner(&p.home_server),
        nt_domain: inner(&p.nt_domain),
        realm: inner(&p.realm),
    };
    let v = new.validate(&at(None)).map_err(|e| match e {
        DirectoryError::InvalidField {
            principal,
            field,
            source,
            ..
        } => DirectoryError::InvalidField {
            at: at(span_of(field)),
            principal,
            field,
            source,
        },
        other => other,
    })?;
    let address = format!("{}@{}", v.alias, v.domain);
    let invalid = |span: Range<usize>, field: &'static str, source: FieldError| {
        DirectoryError::InvalidField {
            at: at(Some(span)),
            principal: address.clone(),
            field,
            source,
        }
    };
    if p.credentials.is_empty() && v.home_server.is_none() {
        return Err(invalid(
            p.alias.span(),
            "credentials",
            FieldError::NoCredentials,
        ));
    }
    if let Some(extra) = p.credentials.get(MAX_FORMS) {
        return Err(invalid(
            extra.span(),
            "credentials",
            FieldError::TooManyForms { max: MAX_FORMS },
        ));
    }
    let mut forms: Vec<CredentialForm> = Vec::with_capacity(p.credentials.len());
    for c in &p.credentials {
        let c = c.get_ref();
        let username = c.username.get_ref();
        if !v.is_own_username(username) {
            return Err(invalid(
                c.username.span(),
                "username",
                FieldError::ForeignUsername {
                    username: username.clone(),
                },
            ));
        }
        if forms.iter().any(|f| f.username() == username) {
            return Err(invalid(
                c.username.span(),
                "username",
                FieldError::DuplicateUsername {
                    username: username.clone(),
                },
            ));
        }
        let bad_hash = |a: DigestAlgorithm| FieldError::BadHash {
            algorithm: a.as_str(),
            digits: a.output_len() * 2,
        };
        let md5 = from_hex::<16>(c.md5.get_ref())
            .ok_or_else(|| invalid(c.md5.span(), "md5", bad_hash(DigestAlgorithm::Md5)))?;
        let sha256 = from_hex::<32>(c.sha256.get_ref())
            .ok_or_else(|| invalid(c.sha256.span(), "sha256", bad_hash(DigestAlgorithm::Sha256)))?;
        forms.push(CredentialForm::from_hashes(username, md5, sha256));
    }
    let credentials = StoredCredentials::from_forms(&v.realm, v.nt_domain.as_deref(), forms);
    Ok(v.into_entry(credentials))
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

// ---------------------------------------------------------------------------------------
// Writing

#[derive(Serialize)]
struct OutDoc<'a> {
    version: u32,
    principal: Vec<OutPrincipal<'a>>,
}

#[derive(Serialize)]
struct OutPrincipal<'a> {
    alias: &'a str,
    domain: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_server: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nt_domain: Option<&'a str>,
    /// Written only when it differs from the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    realm: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    credentials: Vec<OutCredential<'a>>,
}

#[derive(Serialize)]
struct OutCredential<'a> {
    username: &'a str,
    md5: String,
    sha256: String,
}

const HEADER: &str = "\
# rvp-server directory of principals. Edit with `rvp-server user add|remove|passwd|list`.
# Passwords are stored only as Digest HA1 hashes, but an HA1 is password-equivalent for
# Digest authentication: keep this file private.
";

/// The text of a directory file holding `table`.
pub(crate) fn render(table: &Table) -> String {
    let entries = table.sorted();
    let doc = OutDoc {
        version: FORMAT_VERSION,
        principal: entries
            .iter()
            .map(|e| OutPrincipal {
                alias: &e.alias,
                domain: &e.domain,
                display_name: e.display_name.as_deref(),
                email: e.email.as_deref(),
                home_server: e.home_server.as_deref(),
                nt_domain: e.credentials.nt_domain(),
                realm: Some(e.credentials.realm()).filter(|r| *r != e.domain),
                credentials: e
                    .credentials
                    .forms()
                    .iter()
                    .map(|f| OutCredential {
                        username: f.username(),
                        md5: to_hex(f.ha1(DigestAlgorithm::Md5)),
                        sha256: to_hex(f.ha1(DigestAlgorithm::Sha256)),
                    })
                    .collect(),
            })
            .collect(),
    };
    // Serialising plain strings and integers into TOML cannot fail; should it ever, the
    // header alone is still a valid (empty) directory, and the load after the next
    // change would show it.
    let body = toml::to_string(&doc).unwrap_or_default();
    format!("{HEADER}\n{body}")
}

/// Distinguishes temporary files of concurrent saves in one process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replaces `path` with `contents` atomically: temporary file in the same directory,
/// fsync, rename, fsync of the directory.
fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), DirectoryError> {
    let name = path.file_name().ok_or_else(|| {
        io_err(
            path,
            "write",
            io::Error::new(io::ErrorKind::InvalidInput, "not a file name"),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(
        ".tmp.{}.{}",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = dir.join(tmp_name);
    let result = write_tmp_and_rename(path, &tmp, contents);
    if result.is_err() {
        // Best effort: the temporary file is garbage now.
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir)
}

fn write_tmp_and_rename(path: &Path, tmp: &Path, contents: &[u8]) -> Result<(), DirectoryError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(tmp).map_err(|e| io_err(tmp, "create", e))?;
    if let Ok(meta) = fs::metadata(path) {
        f.set_permissions(meta.permissions())
            .map_err(|e| io_err(tmp, "set permissions of", e))?;
    }
    f.write_all(contents).map_err(|e| io_err(tmp, "write", e))?;
    f.sync_all().map_err(|e| io_err(tmp, "sync", e))?;
    drop(f);
    fs::rename(tmp, path).map_err(|e| io_err(path, "rename over", e))
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), DirectoryError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_err(dir, "sync", e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), DirectoryError> {
    Ok(())
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
