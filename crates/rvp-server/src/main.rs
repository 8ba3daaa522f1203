//! `rvp-server`: the reference RVP home server and router.
//!
//! ```text
//! rvp-server                         # embedded default: alice, bob, carol @ localhost on 127.0.0.1:8080
//! rvp-server --config rvp.toml       # a configuration file (see rvp_server::config)
//! rvp-server --config rvp.toml --check-config
//! rvp-server user add alice@example.com --display-name "Alice"
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{ArgAction, Parser, Subcommand};
use rvp_server::directory::{DEMO_DOMAIN, DEMO_USERS, Directory, FileDirectory};
use rvp_server::{Config, Server};

#[derive(Parser, Debug)]
#[command(
    name = "rvp-server",
    version,
    about = "RVP (Exchange 2000 Instant Messaging) home server and router"
)]
struct Cli {
    /// Configuration file (TOML). Without it the embedded default runs:
    /// domain `localhost`, demo users, 127.0.0.1:8080, data in ./rvp-data.
    #[arg(short, long, global = true)]
    config: Option<PathBuf>,
    /// Check the configuration and the directory, print a summary, exit.
    #[arg(long)]
    check_config: bool,
    /// More log output (-v: debug, -vv: trace). RUST_LOG overrides.
    #[arg(short, long, action = ArgAction::Count, global = true)]
    verbose: u8,
    /// Only warnings and errors.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Manage the directory of principals (the server may keep running;
    /// it reads the file at start).
    User {
        /// The directory file (default: the configuration's).
        #[arg(long)]
        directory: Option<PathBuf>,
        #[command(subcommand)]
        command: rvp_server::cli_user::UserCommand,
    },
}

/// mimalloc instead of glibc's malloc: under the delivery load glibc's
/// `_int_malloc`, `malloc_consolidate` and `realloc` took about a quarter of
/// the server's CPU time (perf; BENCHMARKS.md has the figures). The library
/// leaves the choice to the programs that embed it.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    let config = match &cli.config {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("rvp-server: {e}");
                return ExitCode::from(2);
            }
        },
        None => Config::default(),
    };
    if let Some(Command::User { directory, command }) = cli.command {
        let path = directory.unwrap_or_else(|| config.directory_path());
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            eprintln!("rvp-server user: cannot create {}: {e}", parent.display());
            return ExitCode::FAILURE;
        }
        return match rvp_server::cli_user::run_with_std_io(command, &path) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("rvp-server user: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if cli.check_config {
        return check_config(&config);
    }
    let directory = match open_directory(&config) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("rvp-server: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rvp-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let embedded = cli.config.is_none();
    runtime.block_on(async move {
        let server = match Server::bind(config, directory.clone()).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("rvp-server: {e}");
                return ExitCode::FAILURE;
            }
        };
        let shutdown = shutdown_signal();
        banner(&server, directory.as_ref(), embedded);
        server.run_until(shutdown).await;
        tracing::info!("stopped");
        ExitCode::SUCCESS
    })
}

fn domain_names(config: &Config) -> String {
    config
        .domains
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--check-config`: reads the configuration and the directory file and says what a
/// run would serve, without writing anything (the demo directory of the embedded default
/// is created by the first real run, not by a check).
fn check_config(config: &Config) -> ExitCode {
    for warning in config.warnings() {
        println!("warning: {warning}");
    }
    let path = config.directory_path();
    let principals = if path.exists() {
        match FileDirectory::open_with_limits(&path, config.directory_limits()) {
            Ok(d) => format!("{} principals in {}", d.principals().len(), path.display()),
            Err(e) => {
                eprintln!("rvp-server: {e}");
                return ExitCode::from(2);
            }
        }
    } else if uses_demo_directory(config) {
        format!(
            "{} principals (the demo directory, created at {} by the first run)",
            DEMO_USERS.len(),
            path.display()
        )
    } else {
        eprintln!("rvp-server: {}", missing_directory(&path));
        return ExitCode::from(2);
    };
    println!(
        "configuration ok: role {}, domains {}, listen {}, {principals}",
        config.role,
        domain_names(config),
        config
            .listen
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    ExitCode::SUCCESS
}

/// Whether a missing directory file is replaced by the demo directory: the embedded
/// default's single domain `localhost`.
fn uses_demo_directory(config: &Config) -> bool {
    config.domains.len() == 1 && config.domains[0].name.eq_ignore_ascii_case(DEMO_DOMAIN)
}

fn missing_directory(path: &std::path::Path) -> String {
    format!(
        "no directory file at {}; create principals with `rvp-server user add ALIAS@DOMAIN`",
        path.display()
    )
}

fn open_directory(config: &Config) -> Result<Arc<FileDirectory>, String> {
    let path = config.directory_path();
    let dir = if path.exists() {
        FileDirectory::open_with_limits(&path, config.directory_limits())
    } else if uses_demo_directory(config) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        FileDirectory::open_or_create_demo(&path)
    } else {
        return Err(missing_directory(&path));
    };
    dir.map(Arc::new).map_err(|e| e.to_string())
}

fn banner(server: &Server, directory: &dyn Directory, embedded: bool) {
    let config = server.config();
    let addr = server.local_addrs()[0];
    println!(
        "rvp-server {} listening on {}",
        env!("CARGO_PKG_VERSION"),
        {
            server
                .local_addrs()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    println!(
        "  role: {}; IM domains: {}; data: {}",
        config.role,
        domain_names(config),
        config.data_dir.display()
    );
    println!(
        "  {} principals in {}",
        directory.principals().len(),
        config.directory_path().display()
    );
    if embedded {
        println!("  demo users (change passwords with `rvp-server user passwd`):");
        for u in DEMO_USERS {
            match directory.lookup(DEMO_DOMAIN, u.alias) {
                Some(entry) if entry.credentials.matches_password(u.password) => {
                    println!("    {}@{DEMO_DOMAIN}  password: {}", u.alias, u.password);
                }
                Some(_) => println!("    {}@{DEMO_DOMAIN}  password: (changed)", u.alias),
                None => {}
            }
        }
    }
    println!(
        "  connect an RVP client to {addr} as alice@{} (Digest authentication); Pidgin + librvp: see the README",
        config.domains[0].name
    );
    println!("  stop with Ctrl-C (watchers are told everyone went offline)");
}

/// Resolves when SIGINT (Ctrl-C) or SIGTERM arrives. The handlers are installed when
/// this is called, not when the future is first polled, so a signal that arrives
/// after the banner is printed always stops the server gracefully.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        signal(SignalKind::interrupt()).and_then(|int| Ok((int, signal(SignalKind::terminate())?)))
    };
    async move {
        #[cfg(unix)]
        match signals {
            Ok((mut int, mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!("cannot watch SIGTERM ({e}); only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutdown requested");
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
