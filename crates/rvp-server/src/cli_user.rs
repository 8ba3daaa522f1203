//! `rvp-server user add|remove|passwd|list`: edits a directory file
//! ([`FileDirectory`]) safely (every change is an atomic replace of the file).
//!
//! The binary parses `rvp-server user --directory PATH <command>` and calls [`run`] (or
//! [`run_with_std_io`]). Passwords never come from a command-line argument (visible to
//! every user in `ps`): they come from an environment variable named with
//! `--password-env VAR`, or else as one line on standard input, with a prompt on
//! standard error.
//!
//! ```
//! use clap::Parser;
//! use rvp_server::cli_user::{self, CliIo, UserCommand};
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(subcommand)]
//!     user: UserCommand,
//! }
//!
//! let dir = std::env::temp_dir().join(format!("rvp-cli-doc-{}.toml", std::process::id()));
//! let cli = Cli::parse_from(["rvp-server", "add", "alice@example.com", "--display-name", "Alice"]);
//! let (mut stdin, mut out, mut err) = (&b"secret\n"[..], Vec::new(), Vec::new());
//! let env = |_: &str| None;
//! let mut io = CliIo { stdin: &mut stdin, stdout: &mut out, stderr: &mut err, env: &env };
//! cli_user::run(cli.user, &dir, &mut io)?;
//! assert!(String::from_utf8(out)?.contains("added alice@example.com"));
//! assert_eq!(String::from_utf8(err)?, "Password for alice@example.com: ");
//! # std::fs::remove_file(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::path::Path;

use clap::Subcommand;
use im_url::{Address, AddressError};

use crate::directory::{
    DigestAlgorithm, Directory, DirectoryError, FileDirectory, MAX_PASSWORD_LEN, NewPrincipal,
    PrincipalEntry,
};

/// The `user` subcommands.
#[derive(Clone, Debug, PartialEq, Eq, Subcommand)]
#[non_exhaustive]
pub enum UserCommand {
    /// Add a principal (creates the directory file if it does not exist).
    Add {
        /// The principal's address, `alias@domain`.
        address: String,
        /// Display name.
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// The home server hosting the principal, when it is not this server.
        #[arg(long, value_name = "HOST[:PORT]")]
        home_server: Option<String>,
        /// NT domain name, so that `NTDOMAIN\alias` and `NTDOMAIN/alias` log in too.
        #[arg(long, value_name = "NTDOMAIN")]
        nt_domain: Option<String>,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
    /// Remove a principal.
    Remove {
        /// The principal's address, `alias@domain`.
        address: String,
    },
    /// Set a principal's password.
    Passwd {
        /// The principal's address, `alias@domain`.
        address: String,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
    /// List the principals.
    List {
        /// Only this IM domain.
        #[arg(long)]
        domain: Option<String>,
    },
}

/// Where [`run`] reads and writes: standard streams and the environment, replaceable
/// for tests and embedding.
pub struct CliIo<'a> {
    /// Where a password is read from when no `--password-env` is given.
    pub stdin: &'a mut dyn BufRead,
    /// Results.
    pub stdout: &'a mut dyn Write,
    /// Prompts and notes.
    pub stderr: &'a mut dyn Write,
    /// Reads an environment variable.
    pub env: &'a dyn Fn(&str) -> Option<OsString>,
}

impl fmt::Debug for CliIo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliIo").finish_non_exhaustive()
    }
}

/// Why a `user` command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Reading, validating or saving the directory failed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// The address is not `alias@domain`.
    #[error("{input:?} is not an address (alias@domain): {source}")]
    InvalidAddress {
        /// As given.
        input: String,
        /// Why.
        #[source]
        source: AddressError,
    },
    /// `--password-env` names a variable that is not set.
    #[error("environment variable {var} is not set")]
    PasswordEnvUnset {
        /// The variable.
        var: String,
    },
    /// `--password-env` names a variable that is not valid Unicode.
    #[error("environment variable {var} is not valid Unicode")]
    PasswordEnvNotUnicode {
        /// The variable.
        var: String,
    },
    /// Standard input ended before a password line.
    #[error("no password given on standard input")]
    NoPassword,
    /// The password line is longer than allowed.
    #[error("password longer than {max} bytes")]
    PasswordTooLong {
        /// The limit.
        max: usize,
    },
    /// Reading standard input or writing the output failed.
    #[error("cannot {op}: {source}")]
    Io {
        /// What (`read the password`, `write the output`).
        op: &'static str,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// Runs one `user` command on the directory file at `directory_path`.
///
/// # Errors
/// [`CliError`]; nothing is changed on error.
pub fn run(cmd: UserCommand, directory_path: &Path, io: &mut CliIo<'_>) -> Result<(), CliError> {
    match cmd {
        UserCommand::Add {
            address,
            display_name,
            email,
            home_server,
            nt_domain,
            password_env,
        } => {
            let addr = parse_address(&address)?;
            let mut new = NewPrincipal::new(addr.alias().as_str(), addr.domain().as_str());
            new.display_name = display_name;
            new.email = email;
            new.home_server = home_server;
            new.nt_domain = nt_domain;
            // Check the fields before asking for a password.
            PrincipalEntry::from_password(new.clone(), "x")?;
            let dir = if directory_path.exists() {
                FileDirectory::open(directory_path)?
            } else {
                let dir = FileDirectory::create(directory_path)?;
                say(io, format_args!("created {}", directory_path.display()))?;
                dir
            };
            let password = password(io, &address, password_env.as_deref())?;
            let entry = dir.add(new, &password)?;
            warn_if_librvp_cannot_log_in(io, &entry)?;
            let forms: Vec<_> = entry
                .credentials
                .forms()
                .iter()
                .map(|f| f.username())
                .collect();
            say(
                io,
                format_args!(
                    "added {} (user names: {})",
                    entry.address(),
                    forms.join(", ")
                ),
            )
        }
        UserCommand::Remove { address } => {
            let addr = parse_address(&address)?;
            let dir = FileDirectory::open(directory_path)?;
            let entry = dir.remove(addr.domain().as_str(), addr.alias().as_str())?;
            say(io, format_args!("removed {}", entry.address()))
        }
        UserCommand::Passwd {
            address,
            password_env,
        } => {
            let addr = parse_address(&address)?;
            let (domain, alias) = (addr.domain().as_str(), addr.alias().as_str());
            let dir = FileDirectory::open(directory_path)?;
            if dir.lookup(domain, alias).is_none() {
                return Err(DirectoryError::NotFound {
                    alias: alias.to_owned(),
                    domain: domain.to_owned(),
                }
                .into());
            }
            let password = password(io, &address, password_env.as_deref())?;
            let entry = dir.set_password(domain, alias, &password)?;
            warn_if_librvp_cannot_log_in(io, &entry)?;
            say(io, format_args!("password changed for {}", entry.address()))
        }
        UserCommand::List { domain } => {
            let dir = FileDirectory::open(directory_path)?;
            let entries: Vec<_> = dir
                .list()
                .into_iter()
                .filter(|e| {
                    domain
                        .as_deref()
                        .is_none_or(|d| e.domain.eq_ignore_ascii_case(d))
                })
                .collect();
            list(io, &entries)
        }
    }
}

/// [`run`] with the process's standard streams and environment. When standard input is
/// a terminal, a note on standard error says that the password will be echoed (this
/// crate does not switch terminal echo off) and how to avoid it.
///
/// # Errors
/// As [`run`].
pub fn run_with_std_io(cmd: UserCommand, directory_path: &Path) -> Result<(), CliError> {
    let stdin = io::stdin();
    let needs_password = match &cmd {
        UserCommand::Add { password_env, .. } | UserCommand::Passwd { password_env, .. } => {
            password_env.is_none()
        }
        _ => false,
    };
    let mut stderr = io::stderr().lock();
    if needs_password && stdin.is_terminal() {
        writeln!(
            stderr,
            "note: the password is shown as you type it; use --password-env VAR or a pipe to avoid that"
        )
        .map_err(|source| CliError::Io {
            op: "write the output",
            source,
        })?;
    }
    let env = |var: &str| std::env::var_os(var);
    let mut io = CliIo {
        stdin: &mut stdin.lock(),
        stdout: &mut io::stdout().lock(),
        stderr: &mut stderr,
        env: &env,
    };
    run(cmd, directory_path, &mut io)
}

fn parse_address(input: &str) -> Result<Address, CliError> {
    Address::parse(input).map_err(|source| CliError::InvalidAddress {
        input: input.to_owned(),
        source,
    })
}

/// Pidgin's RVP plugin (librvp) cuts its Digest HA1 at the first zero byte, so it can
/// never log in when `MD5(alias:realm:password)` contains one (about one password in
/// sixteen). The password is kept (other clients are fine); the user is warned.
fn warn_if_librvp_cannot_log_in(
    io: &mut CliIo<'_>,
    entry: &PrincipalEntry,
) -> Result<(), CliError> {
    let alias = entry.alias.as_str();
    let hopeless = entry
        .credentials
        .ha1(DigestAlgorithm::Md5, alias)
        .is_some_and(|ha1| ha1.contains(&0));
    if !hopeless {
        return Ok(());
    }
    writeln!(
        io.stderr,
        "warning: Pidgin's RVP plugin (librvp) cannot log in as {} with this password: its \
         Digest hash has a zero byte, where librvp cuts it; other clients are not affected \
         (choose another password if librvp users need this account)",
        entry.address()
    )
    .map_err(|source| CliError::Io {
        op: "write the output",
        source,
    })
}

fn say(io: &mut CliIo<'_>, line: fmt::Arguments<'_>) -> Result<(), CliError> {
    writeln!(io.stdout, "{line}").map_err(|source| CliError::Io {
        op: "write the output",
        source,
    })
}

/// The password: from the variable `env_var`, else one line of standard input.
fn password(io: &mut CliIo<'_>, address: &str, env_var: Option<&str>) -> Result<String, CliError> {
    if let Some(var) = env_var {
        let value = (io.env)(var).ok_or_else(|| CliError::PasswordEnvUnset {
            var: var.to_owned(),
        })?;
        return value
            .into_string()
            .map_err(|_| CliError::PasswordEnvNotUnicode {
                var: var.to_owned(),
            });
    }
    let write_err = |source| CliError::Io {
        op: "write the prompt",
        source,
    };
    write!(io.stderr, "Password for {address}: ").map_err(write_err)?;
    io.stderr.flush().map_err(write_err)?;
    let mut line = String::new();
    // Room for the longest password, CR and LF; anything longer is refused.
    let limit = (MAX_PASSWORD_LEN + 2) as u64;
    let n = (&mut *io.stdin)
        .take(limit)
        .read_line(&mut line)
        .map_err(|source| CliError::Io {
            op: "read the password",
            source,
        })?;
    if n == 0 {
        return Err(CliError::NoPassword);
    }
    let ended = line.ends_with('\n');
    let pw = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    if pw.len() > MAX_PASSWORD_LEN || (!ended && n as u64 == limit) {
        return Err(CliError::PasswordTooLong {
            max: MAX_PASSWORD_LEN,
        });
    }
    Ok(pw.to_owned())
}

/// Writes the principals as an aligned table.
fn list(io: &mut CliIo<'_>, entries: &[std::sync::Arc<PrincipalEntry>]) -> Result<(), CliError> {
    if entries.is_empty() {
        return say(io, format_args!("no principals"));
    }
    let rows: Vec<[String; 5]> = entries
        .iter()
        .map(|e| {
            let names: Vec<_> = e.credentials.forms().iter().map(|f| f.username()).collect();
            [
                e.address(),
                e.display_name.clone().unwrap_or_default(),
                e.email.clone().unwrap_or_default(),
                e.home_server
                    .clone()
                    .unwrap_or_else(|| "(this server)".into()),
                if names.is_empty() {
                    "(no password here)".into()
                } else {
                    names.join(" ")
                },
            ]
        })
        .collect();
    let header = [
        "ADDRESS",
        "DISPLAY NAME",
        "EMAIL",
        "HOME SERVER",
        "USER NAMES",
    ]
    .map(String::from);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        say(io, format_args!("{}", line.trim_end()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use clap::Parser;

    use super::*;
    use crate::directory::{DigestAlgorithm, StoredCredentials};

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(subcommand)]
        user: UserCommand,
    }

    struct TestFile(PathBuf);

    impl TestFile {
        fn new(name: &str) -> Self {
            Self(
                std::env::temp_dir()
                    .join(format!("rvp-cli-test-{}-{name}.toml", std::process::id())),
            )
        }
    }

    impl Drop for TestFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// Runs `args` with `stdin`; returns (result, stdout, stderr).
    fn cli(path: &Path, args: &[&str], stdin: &str) -> (Result<(), CliError>, String, String) {
        let cmd = Cli::try_parse_from(std::iter::once("user").chain(args.iter().copied()))
            .unwrap()
            .user;
        let mut input = stdin.as_bytes();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let env = |v: &str| match v {
            "PW" => Some(OsString::from("from-env")),
            _ => None,
        };
        let mut io = CliIo {
            stdin: &mut input,
            stdout: &mut out,
            stderr: &mut err,
            env: &env,
        };
        let r = run(cmd, path, &mut io);
        (
            r,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn md5_of(path: &Path, alias: &str, user: &str) -> Vec<u8> {
        FileDirectory::open(path)
            .unwrap()
            .lookup("example.com", alias)
            .unwrap()
            .credentials
            .ha1(DigestAlgorithm::Md5, user)
            .unwrap()
            .to_vec()
    }

    fn want_md5(alias: &str, nt: Option<&str>, pw: &str) -> Vec<u8> {
        StoredCredentials::derive(alias, "example.com", "example.com", nt, pw)
            .ha1(DigestAlgorithm::Md5, alias)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn add_list_passwd_remove() {
        let f = TestFile::new("flow");
        let (r, out, err) = cli(
            &f.0,
            &[
                "add",
                "alice@Example.com",
                "--display-name",
                "Alice L",
                "--email",
                "alice@example.com",
                "--nt-domain",
                "CORP",
            ],
            "secret\r\n",
        );
        r.unwrap();
        assert!(out.starts_with("created "), "{out}");
        assert!(
            out.contains("added alice@example.com (user names: alice, alice@example.com, CORP\\alice, CORP/alice)"),
            "{out}"
        );
        assert_eq!(err, "Password for alice@Example.com: ");
        assert_eq!(
            md5_of(&f.0, "alice", "alice"),
            want_md5("alice", Some("CORP"), "secret")
        );

        let (r, out, err) = cli(
            &f.0,
            &[
                "add",
                "bob@example.com",
                "--home-server",
                "im2.example.com:8080",
                "--password-env",
                "PW",
            ],
            "",
        );
        r.unwrap();
        assert!(!out.contains("created"));
        assert_eq!(err, "");
        assert_eq!(
            md5_of(&f.0, "bob", "bob"),
            want_md5("bob", None, "from-env")
        );

        let (r, out, _) = cli(&f.0, &["list"], "");
        r.unwrap();
        let lines: Vec<_> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].starts_with("ADDRESS"));
        assert!(lines[1].starts_with("alice@example.com  Alice L"), "{out}");
        assert!(lines[1].contains("(this server)"));
        assert!(lines[2].contains("im2.example.com:8080"));
        let (_, out, _) = cli(&f.0, &["list", "--domain", "other.com"], "");
        assert_eq!(out, "no principals\n");

        let (r, out, _) = cli(&f.0, &["passwd", "ALICE@example.com"], "changed\n");
        r.unwrap();
        assert_eq!(out, "password changed for alice@example.com\n");
        assert_eq!(
            md5_of(&f.0, "alice", "alice"),
            want_md5("alice", Some("CORP"), "changed")
        );

        let (r, out, _) = cli(&f.0, &["remove", "bob@example.com"], "");
        r.unwrap();
        assert_eq!(out, "removed bob@example.com\n");
        let (r, _, _) = cli(&f.0, &["remove", "bob@example.com"], "");
        assert!(matches!(
            r,
            Err(CliError::Directory(DirectoryError::NotFound { .. }))
        ));
    }

    #[test]
    fn refusals() {
        let f = TestFile::new("refusals");
        let (r, _, _) = cli(&f.0, &["add", "alice", "--password-env", "PW"], "");
        assert!(matches!(r, Err(CliError::InvalidAddress { .. })), "{r:?}");
        let (r, _, _) = cli(&f.0, &["add", "a@x.com", "--password-env", "NOPE"], "");
        assert!(matches!(r, Err(CliError::PasswordEnvUnset { .. })), "{r:?}");
        let (r, _, _) = cli(&f.0, &["add", "a@x.com"], "");
        assert!(matches!(r, Err(CliError::NoPassword)), "{r:?}");
        let (r, _, _) = cli(&f.0, &["add", "a@x.com"], "\n");
        assert!(
            matches!(r, Err(CliError::Directory(DirectoryError::Password { .. }))),
            "{r:?}"
        );
        let long = "x".repeat(MAX_PASSWORD_LEN + 5);
        let (r, _, _) = cli(&f.0, &["add", "a@x.com"], &long);
        assert!(matches!(r, Err(CliError::PasswordTooLong { .. })), "{r:?}");
        // A bad field is reported before the password is asked for.
        let (r, _, err) = cli(&f.0, &["add", "a@x.com", "--email", "nope"], "pw\n");
        assert!(
            matches!(
                r,
                Err(CliError::Directory(DirectoryError::InvalidField {
                    field: "email",
                    ..
                }))
            ),
            "{r:?}"
        );
        assert_eq!(err, "");
        cli(&f.0, &["add", "a@x.com"], "pw\n").0.unwrap();
        let (r, _, _) = cli(&f.0, &["add", "A@X.com"], "pw\n");
        assert!(
            matches!(
                r,
                Err(CliError::Directory(DirectoryError::Duplicate { .. }))
            ),
            "{r:?}"
        );
        // passwd of an unknown principal fails before asking.
        let (r, _, err) = cli(&f.0, &["passwd", "b@x.com"], "pw\n");
        assert!(
            matches!(r, Err(CliError::Directory(DirectoryError::NotFound { .. }))),
            "{r:?}"
        );
        assert_eq!(err, "");
        // Commands other than add need the file.
        let missing = TestFile::new("missing");
        let (r, _, _) = cli(&missing.0, &["list"], "");
        assert!(
            matches!(r, Err(CliError::Directory(DirectoryError::Io { .. }))),
            "{r:?}"
        );
    }

    #[test]
    fn no_password_argument() {
        assert!(Cli::try_parse_from(["user", "add", "a@x.com", "--password", "pw"]).is_err());
        assert!(Cli::try_parse_from(["user", "passwd", "a@x.com", "--password", "pw"]).is_err());
    }

    #[test]
    fn a_password_librvp_cannot_use_is_warned_about() {
        let f = TestFile::new("librvp-zero");
        // MD5("carol:example.com:PW") for these: find one with and one without a zero byte.
        let bad = (0..)
            .map(|i| format!("pw{i}"))
            .find(|pw| want_md5("carol", None, pw).contains(&0))
            .unwrap();
        let good = (0..)
            .map(|i| format!("pw{i}"))
            .find(|pw| !want_md5("carol", None, pw).contains(&0))
            .unwrap();
        let (r, out, err) = cli(&f.0, &["add", "carol@example.com"], &format!("{bad}\n"));
        r.unwrap();
        assert!(out.contains("added carol@example.com"), "{out}");
        assert!(
            err.contains(
                "warning: Pidgin's RVP plugin (librvp) cannot log in as carol@example.com"
            ),
            "{err}"
        );
        let (r, _, err) = cli(&f.0, &["passwd", "carol@example.com"], &format!("{good}\n"));
        r.unwrap();
        assert!(!err.contains("warning"), "{err}");
        let (r, _, err) = cli(&f.0, &["passwd", "carol@example.com"], &format!("{bad}\n"));
        r.unwrap();
        assert!(err.contains("warning"), "{err}");
    }
}
