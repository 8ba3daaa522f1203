//! The directory of principals: who exists, where they are hosted, and their password
//! hashes.
//!
//! A [`Directory`] answers two questions: "who is `alias@domain`?" ([`Directory::lookup`])
//! and "who is there?" ([`Directory::principals`]). Each answer is a [`PrincipalEntry`]:
//! alias, IM domain, display name, e-mail, home server, and the password stored only as
//! precomputed Digest hashes ([`StoredCredentials`]), never as plain text.
//!
//! Two backends:
//!
//! * [`FileDirectory`]: a TOML file, edited by `rvp-server user add|remove|passwd|list`
//!   (see [`crate::cli_user`]) with atomic replace;
//! * [`MemoryDirectory`]: in memory, for tests and embedding; [`MemoryDirectory::demo`]
//!   is the server's embedded default ([`DEMO_USERS`]).
//!
//! # A later LDAP backend
//!
//! The trait is shaped so that an LDAP (Active Directory) backend for multi-server
//! deployments fits without changing its users:
//!
//! * lookups are by (domain, alias), case-insensitively, as directory names compare;
//! * an entry says where the principal is hosted ([`PrincipalEntry::home_server`]), which
//!   is what a router needs (Exchange kept this in the user's AD object);
//! * passwords are HA1 hashes, which is what AD's WDigest package keeps for each user
//!   (the supplemental `Primary:WDigest` credentials), so a backend can fill in
//!   [`StoredCredentials`] without ever seeing a password;
//! * methods are synchronous and are called on the request path: a backend that talks to
//!   a network server must answer from a cache kept fresh by its own task (or bound the
//!   time of a cache miss), never block for a round trip of unbounded length;
//! * entries are handed out as `Arc`s, snapshots that stay valid while the backend
//!   refreshes.
//!
//! # The directory file
//!
//! TOML, UTF-8, at most [`DirectoryLimits::max_file_bytes`] bytes and
//! [`DirectoryLimits::max_principals`] principals. One `[[principal]]` table per
//! principal:
//!
//! | key | | meaning |
//! |---|---|---|
//! | `alias` | required | the alias ([`im_url::Alias`] rules); unique per domain, ignoring case |
//! | `domain` | required | the IM domain ([`im_url::Domain`] rules); written lower case |
//! | `display_name` | optional | the display name (at most 256 bytes, no control characters) |
//! | `email` | optional | the e-mail address |
//! | `home_server` | optional | `host[:port]` of the home server hosting the principal; absent = this server |
//! | `nt_domain` | optional | the NT domain name (1 to 15 letters, digits, `-`, `_`, `.`) for the `NT\alias` and `NT/alias` user names |
//! | `realm` | optional | the Digest realm the hashes were made for; absent = the domain |
//!
//! and one `[[principal.credentials]]` table per user name form a client may send
//! (`alias`, `alias@domain`, `NT\alias`, `NT/alias`), with `username` (exactly as sent),
//! `md5 = hex(MD5(username ":" realm ":" password))` and `sha256 =
//! hex(SHA-256(username ":" realm ":" password))`. A principal hosted elsewhere may
//! have no credentials; any other needs at least one. Unknown keys are errors, so a
//! misspelt key is noticed. The optional top-level `version` must be `1`.
//!
//! `alice@example.com`, password `secret`, NT domain `CORP`, hosted here; and `bob`,
//! hosted on another server (no password known here):
//!
//! ```toml
#![doc = include_str!("example.toml")]
//! ```
//!
//! Errors name the file, the line and the field ([`DirectoryError`]).

mod credentials;
mod entry;
mod error;
mod file;
mod memory;

use std::fmt;
use std::sync::Arc;

pub use credentials::{
    CredentialForm, DigestAlgorithm, MAX_PASSWORD_LEN, StoredCredentials, UsernameKind,
};
pub use entry::{
    MAX_DISPLAY_NAME_LEN, MAX_EMAIL_LEN, MAX_NT_DOMAIN_LEN, NewPrincipal, PrincipalEntry,
};
pub use error::{DirectoryError, FieldError, Location};
pub use file::{DirectoryLimits, FORMAT_VERSION, FileDirectory};
pub use memory::MemoryDirectory;

pub(crate) use credentials::to_hex;

/// Where principals are looked up.
///
/// Implementations are shared between the server's tasks (`Send + Sync`) and must not
/// block for long (see the [module docs](self) on backends).
///
/// ```
/// use std::sync::Arc;
/// use rvp_server::directory::{Directory, MemoryDirectory};
///
/// let dir: Arc<dyn Directory> = Arc::new(MemoryDirectory::demo());
/// let alice = dir.lookup("LOCALHOST", "Alice").unwrap();
/// assert_eq!(alice.address(), "alice@localhost");
/// ```
pub trait Directory: Send + Sync + fmt::Debug {
    /// The principal `alias@domain`, both compared ignoring ASCII case.
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>>;

    /// Every principal, ordered by domain, then alias.
    fn principals(&self) -> Vec<Arc<PrincipalEntry>>;
}

impl<D: Directory + ?Sized> Directory for Arc<D> {
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>> {
        (**self).lookup(domain, alias)
    }

    fn principals(&self) -> Vec<Arc<PrincipalEntry>> {
        (**self).principals()
    }
}

/// The IM domain of the demo directory.
pub const DEMO_DOMAIN: &str = "localhost";

/// A demo principal and its (published, fixed) password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoUser {
    /// The alias.
    pub alias: &'static str,
    /// The display name.
    pub display_name: &'static str,
    /// The e-mail address.
    pub email: &'static str,
    /// The password. Fixed and printed in the server's banner: the demo directory is
    /// for trying the server on loopback, never for an exposed server.
    pub password: &'static str,
}

/// The demo principals of [`MemoryDirectory::demo`] and
/// [`FileDirectory::open_or_create_demo`], all in [`DEMO_DOMAIN`]:
///
/// | address | password | display name |
/// |---|---|---|
/// | `alice@localhost` | `alice-demo` | Alice Demo |
/// | `bob@localhost` | `bob-demo` | Bob Demo |
/// | `carol@localhost` | `carol-demo` | Carol Demo |
pub const DEMO_USERS: [DemoUser; 3] = [
    DemoUser {
        alias: "alice",
        display_name: "Alice Demo",
        email: "alice@localhost",
        password: "alice-demo",
    },
    DemoUser {
        alias: "bob",
        display_name: "Bob Demo",
        email: "bob@localhost",
        password: "bob-demo",
    },
    DemoUser {
        alias: "carol",
        display_name: "Carol Demo",
        email: "carol@localhost",
        password: "carol-demo",
    },
];
