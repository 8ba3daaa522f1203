//! `rvp-load`: runs the load scenarios against `rvp-server` and its
//! baselines, makes directories of generated users, runs a baseline alone.
//!
//! ```text
//! rvp-load run delivery --server-bin target/release/rvp-server
//! rvp-load run login-storm --users 10000 --contacts 20 --server-bin target/release/rvp-server
//! rvp-load run capacity --target 127.0.0.1:8080 --server-pid 1234 --json capacity.json
//! rvp-load make-directory --users 100000 --out directory.toml
//! rvp-load baseline forwarder --listen 127.0.0.1:9000
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rvp_load::scenario::{self, Options, Scenario, Target};
use rvp_load::{Baseline, BaselineKind, ConnMode};

#[derive(Parser, Debug)]
#[command(
    name = "rvp-load",
    version,
    about = "Load generator and baselines for RVP servers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a scenario against the server, then against its baseline.
    Run(Box<RunArgs>),
    /// Writes a directory file with users u000001... (password `pw-<alias>`).
    MakeDirectory {
        /// How many users.
        #[arg(long)]
        users: usize,
        /// The file to create (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// The IM domain.
        #[arg(long, default_value = "localhost")]
        domain: String,
    },
    /// Runs a baseline server alone until interrupted.
    Baseline {
        /// Which one.
        kind: BaselineKind,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:9000")]
        listen: SocketAddr,
    },
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The scenario.
    scenario: Scenario,
    /// Spawn this rvp-server binary (directory and config generated).
    #[arg(long, conflicts_with = "target")]
    server_bin: Option<PathBuf>,
    /// Or use a running server at this address.
    #[arg(long)]
    target: Option<SocketAddr>,
    /// The running server's process id (for RSS and CPU time).
    #[arg(long, requires = "target")]
    server_pid: Option<u32>,
    /// Simulated clients.
    #[arg(long)]
    users: Option<usize>,
    /// Contacts per client.
    #[arg(long)]
    contacts: Option<usize>,
    /// Connection per request or keep-alive.
    #[arg(long, value_enum)]
    conn: Option<ConnMode>,
    /// Logins or message senders in flight.
    #[arg(long)]
    concurrency: Option<usize>,
    /// Callback listeners.
    #[arg(long)]
    listeners: Option<usize>,
    /// Measured seconds (capacity: seconds the sessions are held).
    #[arg(long)]
    duration: Option<f64>,
    /// Unmeasured seconds before (delivery).
    #[arg(long)]
    warmup: Option<f64>,
    /// Messages per second in all (0: as fast as answers come).
    #[arg(long)]
    message_rate: Option<f64>,
    /// Presence changes per second in all (soak).
    #[arg(long)]
    presence_rate: Option<f64>,
    /// Clients leaving without logoff per second (soak).
    #[arg(long)]
    churn_rate: Option<f64>,
    /// Presence lease asked for, seconds.
    #[arg(long)]
    lease: Option<u32>,
    /// Subscription lifetime asked for, seconds.
    #[arg(long)]
    subscription_lifetime: Option<u64>,
    /// Fan-out rounds.
    #[arg(long)]
    rounds: Option<usize>,
    /// Loopback source addresses for per-request connections.
    #[arg(long)]
    source_ips: Option<usize>,
    /// RSS bound, MiB (capacity, soak).
    #[arg(long)]
    rss_bound_mib: Option<u64>,
    /// The IM domain of the users.
    #[arg(long)]
    domain: Option<String>,
    /// Skip the baseline.
    #[arg(long)]
    no_baseline: bool,
    /// Write the JSON report here ("-": standard output).
    #[arg(long)]
    json: Option<PathBuf>,
}

impl RunArgs {
    fn options(&self) -> Options {
        let mut o = scenario::defaults(self.scenario);
        macro_rules! set {
            ($($arg:ident => $($field:ident).+;)*) => { $(if let Some(v) = self.$arg.clone() { o.$($field).+ = v; })* };
        }
        set! {
            users => rig.users; contacts => rig.contacts; conn => rig.conn;
            concurrency => rig.concurrency; listeners => rig.listeners;
            duration => duration_secs; warmup => warmup_secs; message_rate => message_rate;
            presence_rate => presence_rate; churn_rate => churn_rate; lease => rig.lease_secs;
            subscription_lifetime => rig.subscription_secs; rounds => rounds;
            source_ips => rig.source_ips; rss_bound_mib => rss_bound_mib; domain => rig.domain;
        }
        o.baseline = !self.no_baseline;
        o.server_min_lease_secs = o
            .server_min_lease_secs
            .min(u64::from(o.rig.lease_secs))
            .min(o.rig.subscription_secs)
            .max(1);
        o
    }

    fn target(&self) -> Result<Target, String> {
        match (&self.server_bin, self.target) {
            (Some(bin), _) => Ok(Target::Spawn(bin.clone())),
            (None, Some(addr)) => Ok(Target::Running {
                addr,
                pid: self.server_pid,
            }),
            (None, None) => Err("give --server-bin PATH or --target ADDR".into()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Many connections and listeners: lift the descriptor limit to the hard limit.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("rvp-load: cannot raise the open-file limit: {e}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rvp-load: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::MakeDirectory { users, out, domain } => {
                match rvp_load::server::make_directory(&out, users, &domain) {
                    Ok(()) => {
                        println!("wrote {users} users to {}", out.display());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("rvp-load: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Command::Baseline { kind, listen } => match Baseline::start_on(kind, listen).await {
                Ok(b) => {
                    println!("{kind:?} baseline listening on {}", b.addr());
                    let _ = tokio::signal::ctrl_c().await;
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("rvp-load: {e}");
                    ExitCode::FAILURE
                }
            },
            Command::Run(args) => run(*args).await,
        }
    })
}

async fn run(args: RunArgs) -> ExitCode {
    let target = match args.target() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rvp-load: {e}");
            return ExitCode::from(2);
        }
    };
    let options = args.options();
    let report = match scenario::run(args.scenario, &target, &options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rvp-load: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", report.summary());
    let json = report.to_json();
    match &args.json {
        Some(p) if p.as_os_str() == "-" => println!("{json}"),
        Some(p) => {
            if let Err(e) = std::fs::write(p, &json) {
                eprintln!("rvp-load: cannot write {}: {e}", p.display());
                return ExitCode::FAILURE;
            }
        }
        None => println!("{json}"),
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "rvp-load: {} failed (errors or lost messages)",
            report.scenario
        );
        ExitCode::FAILURE
    }
}
