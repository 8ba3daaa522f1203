//! The server under test: a directory of generated users, a configuration
//! for load runs, the `rvp-server` binary spawned with them, and its memory
//! and CPU time read from `/proc`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use rvp_server::directory::{
    DirectoryError, DirectoryLimits, FileDirectory, NewPrincipal, PrincipalEntry,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::client::{alias, password};

/// Bytes of directory file per generated principal, with room to spare.
const BYTES_PER_PRINCIPAL: u64 = 1024;
/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux).
const USER_HZ: f64 = 100.0;

/// Why the server could not be prepared or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The directory could not be made.
    #[error("directory: {0}")]
    Directory(#[from] DirectoryError),
    /// A file or the process could not be handled.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The server exited or printed no listening address.
    #[error("the server did not start: {0}")]
    NotStarted(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServerError {
    let what = what.into();
    move |source| ServerError::Io { what, source }
}

/// The directory limits that fit `users` generated principals.
pub fn limits_for(users: usize) -> DirectoryLimits {
    let mut limits = DirectoryLimits::default();
    limits.max_principals = limits.max_principals.max(users);
    limits.max_file_bytes = limits
        .max_file_bytes
        .max(users as u64 * BYTES_PER_PRINCIPAL);
    limits
}

/// Writes a directory file with users `u000001` ... (`users` of them) in
/// `domain`, each with the password [`password`] derives from the alias.
///
/// # Errors
/// [`ServerError::Directory`] (the file exists, or a limit).
pub fn make_directory(path: &Path, users: usize, domain: &str) -> Result<(), ServerError> {
    let entries = (1..=users)
        .map(|n| {
            let a = alias(n);
            PrincipalEntry::from_password(NewPrincipal::new(a.clone(), domain), &password(&a))
        })
        .collect::<Result<Vec<_>, _>>()?;
    FileDirectory::create_with_entries(path, entries, limits_for(users))?;
    Ok(())
}

/// Settings of a spawned server.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    /// The `rvp-server` binary.
    pub binary: PathBuf,
    /// A scratch directory (config, directory, ACLs).
    pub work_dir: PathBuf,
    /// Users in the directory.
    pub users: usize,
    /// The IM domain.
    pub domain: String,
    /// Shortest presence lease and subscription lifetime the server
    /// grants, seconds (shortened for soak runs).
    pub min_lease_secs: u64,
}

/// The configuration text for a load run: limits that fit the load,
/// everything else default.
pub fn config_text(spec: &ServerSpec, directory: &Path) -> String {
    let limits = limits_for(spec.users);
    format!(
        "listen = [\"127.0.0.1:0\"]\n\
         data-dir = {data:?}\n\
         directory = {dir:?}\n\
         [[domain]]\nname = {domain:?}\n\
         [leases]\npresence-min-secs = {min}\nsubscription-min-secs = {min}\n\
         [limits]\n\
         max-connections = 200000\n\
         max-connections-per-ip = 200000\n\
         max-watchers-per-principal = 100000\n\
         directory-max-principals = {principals}\n\
         directory-max-bytes = {bytes}\n\
         [auth]\nmax-outstanding-nonces = {nonces}\n",
        data = spec.work_dir.join("data").display().to_string(),
        dir = directory.display().to_string(),
        domain = spec.domain,
        min = spec.min_lease_secs.max(1),
        principals = limits.max_principals,
        bytes = limits.max_file_bytes,
        nonces = (spec.users * 2).max(10_000),
    )
}

/// A spawned `rvp-server`; killed when dropped.
#[derive(Debug)]
pub struct SpawnedServer {
    child: Child,
    addr: SocketAddr,
    pid: u32,
}

impl SpawnedServer {
    /// Writes the directory and configuration into `spec.work_dir` and
    /// starts the binary; returns once it printed its listening address.
    ///
    /// # Errors
    /// [`ServerError`].
    pub async fn start(spec: &ServerSpec) -> Result<Self, ServerError> {
        std::fs::create_dir_all(spec.work_dir.join("data"))
            .map_err(io(format!("create {}", spec.work_dir.display())))?;
        let directory = spec.work_dir.join("directory.toml");
        let _ = std::fs::remove_file(&directory);
        make_directory(&directory, spec.users, &spec.domain)?;
        let config = spec.work_dir.join("rvp-server.toml");
        std::fs::write(&config, config_text(spec, &directory))
            .map_err(io(format!("write {}", config.display())))?;
        let mut child = Command::new(&spec.binary)
            .arg("--config")
            .arg(&config)
            .arg("-q")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .stdin(Stdio::null())
            // Stale nonces are routine under load (64 uses each): only errors.
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()),
            )
            .kill_on_drop(true)
            .spawn()
            .map_err(io(format!("spawn {}", spec.binary.display())))?;
        let pid = child
            .id()
            .ok_or_else(|| ServerError::NotStarted("no pid".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| ServerError::NotStarted("no stdout".into()))?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(120), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.split(" listening on ").nth(1) {
                    let first = rest.split(',').next().unwrap_or_default().trim();
                    return first.parse::<SocketAddr>().ok();
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(|| ServerError::NotStarted("no \"listening on\" line".into()))?;
        // Keep reading the banner so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, addr, pid })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Stops the server (SIGKILL) and waits for it.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Memory and CPU time of a process, from `/proc`.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ProcSample {
    /// Resident set size, KiB (`VmRSS`).
    pub rss_kib: u64,
    /// Peak resident set size, KiB (`VmHWM`).
    pub peak_rss_kib: u64,
    /// User plus system CPU time, seconds.
    pub cpu_secs: f64,
}

impl ProcSample {
    /// Reads `/proc/<pid>/status` and `/proc/<pid>/stat`; `None` when the
    /// process is gone or the files cannot be parsed.
    pub fn read(pid: u32) -> Option<Self> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        Self::parse(&status, &stat)
    }

    /// Parses the text of the two files.
    pub fn parse(status: &str, stat: &str) -> Option<Self> {
        let kib = |key: &str| {
            status.lines().find_map(|l| {
                l.strip_prefix(key)?
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
        };
        // Fields after the command name (which may hold spaces and parentheses):
        // state is field 3, utime 14 and stime 15.
        let after = stat.get(stat.rfind(')')? + 1..)?;
        let fields: Vec<&str> = after.split_whitespace().collect();
        let utime: u64 = fields.get(11)?.parse().ok()?;
        let stime: u64 = fields.get(12)?.parse().ok()?;
        Some(Self {
            rss_kib: kib("VmRSS:")?,
            peak_rss_kib: kib("VmHWM:").unwrap_or(0),
            cpu_secs: (utime + stime) as f64 / USER_HZ,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_parse() {
        let status = "Name:\trvp-server\nVmHWM:\t  20480 kB\nVmRSS:\t   10240 kB\n";
        let stat = "1234 (rvp server) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 4 0";
        let s = ProcSample::parse(status, stat).unwrap();
        assert_eq!(s.rss_kib, 10240);
        assert_eq!(s.peak_rss_kib, 20480);
        assert!((s.cpu_secs - 3.0).abs() < 1e-9);
        assert_eq!(ProcSample::parse("", stat), None);
        let own = ProcSample::read(std::process::id()).unwrap();
        assert!(own.rss_kib > 0);
    }

    #[test]
    fn generated_directory_opens_with_the_config_limits() {
        let dir = std::env::temp_dir().join(format!("rvp-load-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("d.toml");
        let _ = std::fs::remove_file(&path);
        make_directory(&path, 3, "example.com").unwrap();
        let d = FileDirectory::open_with_limits(&path, limits_for(3)).unwrap();
        let names: Vec<String> = d.list().iter().map(|e| e.address()).collect();
        assert_eq!(
            names,
            [
                "u000001@example.com",
                "u000002@example.com",
                "u000003@example.com"
            ]
        );
        let spec = ServerSpec {
            binary: "rvp-server".into(),
            work_dir: dir.clone(),
            users: 3,
            domain: "example.com".into(),
            min_lease_secs: 5,
        };
        let config = rvp_server::Config::parse(&config_text(&spec, &path)).unwrap();
        assert_eq!(config.directory_path(), path);
        assert_eq!(config.leases.presence_min_secs, 5);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
