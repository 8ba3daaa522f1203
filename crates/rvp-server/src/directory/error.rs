//! The directory's errors.

use std::fmt;
use std::io;
use std::path::PathBuf;

use im_url::{AliasError, DomainError, UrlError};

/// Where in a directory file something is: the file and, when known, the line (1-based).
/// Empty for entries given through the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, if the entry came from one.
    pub path: Option<PathBuf>,
    /// The line, 1-based, if known.
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    /// `path:line: `, `path: `, or nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, "{}:{l}: ", p.display()),
            (Some(p), None) => write!(f, "{}: ", p.display()),
            (None, Some(l)) => write!(f, "line {l}: "),
            (None, None) => Ok(()),
        }
    }
}

/// Why one field of a principal is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// Not a valid alias (see [`im_url::Alias`]).
    #[error(transparent)]
    Alias(#[from] AliasError),
    /// Not a valid domain name (see [`im_url::Domain`]).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Not a valid `host[:port]` authority (see [`im_url::Authority`]).
    #[error(transparent)]
    Authority(#[from] UrlError),
    /// Too long.
    #[error("{len} bytes long, more than {max}")]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Empty.
    #[error("empty")]
    Empty,
    /// A control character.
    #[error("control character at byte {index}")]
    ControlCharacter {
        /// Byte offset.
        index: usize,
    },
    /// A character the field does not allow.
    #[error("character {ch:?} at byte {index} is not allowed")]
    InvalidCharacter {
        /// Byte offset.
        index: usize,
        /// The character.
        ch: char,
    },
    /// An e-mail address without `@`.
    #[error("not an e-mail address (no '@')")]
    NotEmail,
    /// A hash that is not the right number of hex digits.
    #[error("not a {algorithm} hash ({digits} hex digits expected)")]
    BadHash {
        /// The algorithm's name.
        algorithm: &'static str,
        /// How many hex digits are expected.
        digits: usize,
    },
    /// A user name that is not one of the principal's forms (`alias`, `alias@domain`,
    /// `NT\alias`, `NT/alias`).
    #[error("user name {username:?} is not a form of this principal's name")]
    ForeignUsername {
        /// The user name.
        username: String,
    },
    /// The same user name twice.
    #[error("user name {username:?} appears twice")]
    DuplicateUsername {
        /// The user name.
        username: String,
    },
    /// More credential forms than allowed.
    #[error("more than {max} credential forms")]
    TooManyForms {
        /// The limit.
        max: usize,
    },
    /// No credential forms at all (nobody could log in).
    #[error("no credentials")]
    NoCredentials,
}

/// An error of a [`Directory`](super::Directory) backend or of editing a directory file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// Reading or writing a file failed.
    #[error("{path}: cannot {op}: {source}", path = .path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done (`read`, `write`, `rename`, ...).
        op: &'static str,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The file is larger than the limit.
    #[error("{path}: {size} bytes, more than the limit of {max}", path = .path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The file is not UTF-8.
    #[error("{path}: not UTF-8 text", path = .path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid TOML, or not the directory format.
    #[error("{at}{message}")]
    Syntax {
        /// Where (line when the TOML parser says).
        at: Location,
        /// Column, 1-based, when known.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A field of a principal is invalid.
    #[error("{at}principal {principal:?}: field `{field}`: {source}")]
    InvalidField {
        /// Where.
        at: Location,
        /// The principal, as far as known (`alias@domain`, or the alias).
        principal: String,
        /// The field's name in the file format.
        field: &'static str,
        /// Why.
        #[source]
        source: FieldError,
    },
    /// More principals than the limit.
    #[error("{at}more than {max} principals")]
    TooManyPrincipals {
        /// Where.
        at: Location,
        /// The limit.
        max: usize,
    },
    /// A principal with this alias and domain exists already.
    #[error("{at}principal {alias}@{domain} exists already")]
    Duplicate {
        /// Where the second one is.
        at: Location,
        /// The alias.
        alias: String,
        /// The domain.
        domain: String,
    },
    /// No principal with this alias and domain.
    #[error("no principal {alias}@{domain}")]
    NotFound {
        /// The alias.
        alias: String,
        /// The domain.
        domain: String,
    },
    /// A password that is empty, too long or has control characters.
    #[error("unusable password: {source}")]
    Password {
        /// Why.
        #[source]
        source: FieldError,
    },
}
