//! Address in, every step printed, URL and server out.
//!
//! ```text
//! cargo run -p im-url --features resolver --example resolve -- JoBrown@adatum.com --static
//! cargo run -p im-url --features resolver --example resolve -- alice@example.test --server 127.0.0.1:5353
//! cargo run -p im-url --features resolver --example resolve -- alice@example.com
//! ```
//!
//! Flags:
//! - `--server IP:PORT` (repeatable): name servers to ask instead of /etc/resolv.conf;
//! - `--static`: no DNS at all; use a built-in table with the white paper's deployment
//!   (`adatum.com` -> `im.adatum.com:80`) extended by `--srv` and `--host`;
//! - `--srv DOMAIN,TARGET,PORT[,PRIORITY[,WEIGHT]]` and `--host NAME,IP`: entries of the
//!   static table;
//! - `--timeout-ms N`, `--no-edns`, `--seed N` (RFC 2782 selection).

#![allow(clippy::print_stdout)]

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use im_url::{
    Address, DnsResolver, Domain, Location, Resolve, ResolverConfig, Source, SrvAnswer, SrvTarget,
    StaticResolver, locate,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

struct Args {
    address: String,
    servers: Vec<SocketAddr>,
    static_mode: bool,
    srv: Vec<(Domain, SrvTarget)>,
    hosts: Vec<(Domain, IpAddr)>,
    timeout: Option<Duration>,
    no_edns: bool,
    seed: Option<u64>,
}

fn usage() -> String {
    "usage: resolve ALIAS@DOMAIN [--server IP:PORT]... [--static] \
     [--srv DOMAIN,TARGET,PORT[,PRIO[,WEIGHT]]]... [--host NAME,IP]... \
     [--timeout-ms N] [--no-edns] [--seed N]"
        .to_owned()
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut args = Args {
        address: String::new(),
        servers: Vec::new(),
        static_mode: false,
        srv: Vec::new(),
        hosts: Vec::new(),
        timeout: None,
        no_edns: false,
        seed: None,
    };
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next().ok_or_else(|| format!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--server" => {
                let v = value(&mut it, "--server")?;
                args.servers
                    .push(v.parse().map_err(|e| format!("--server {v}: {e}"))?);
            }
            "--static" => args.static_mode = true,
            "--no-edns" => args.no_edns = true,
            "--timeout-ms" => {
                let v = value(&mut it, "--timeout-ms")?;
                let ms: u64 = v.parse().map_err(|e| format!("--timeout-ms {v}: {e}"))?;
                args.timeout = Some(Duration::from_millis(ms));
            }
            "--seed" => {
                let v = value(&mut it, "--seed")?;
                args.seed = Some(v.parse().map_err(|e| format!("--seed {v}: {e}"))?);
            }
            "--srv" => {
                let v = value(&mut it, "--srv")?;
                args.srv.push(parse_srv(&v)?);
            }
            "--host" => {
                let v = value(&mut it, "--host")?;
                let (name, ip) = v.split_once(',').ok_or(format!("--host {v}: NAME,IP"))?;
                let name: Domain = name.parse().map_err(|e| format!("--host {v}: {e}"))?;
                let ip: IpAddr = ip.parse().map_err(|e| format!("--host {v}: {e}"))?;
                args.hosts.push((name, ip));
            }
            "-h" | "--help" => return Err(usage()),
            s if s.starts_with('-') => return Err(format!("unknown flag {s}\n{}", usage())),
            s if args.address.is_empty() => args.address = s.to_owned(),
            s => return Err(format!("unexpected argument {s}\n{}", usage())),
        }
    }
    if args.address.is_empty() {
        return Err(usage());
    }
    Ok(args)
}

fn parse_srv(v: &str) -> Result<(Domain, SrvTarget), String> {
    let parts: Vec<&str> = v.split(',').collect();
    let bad = |e: &dyn std::fmt::Display| format!("--srv {v}: {e}");
    let [domain, target, port, rest @ ..] = parts.as_slice() else {
        return Err(format!("--srv {v}: DOMAIN,TARGET,PORT[,PRIORITY[,WEIGHT]]"));
    };
    let domain: Domain = domain.parse().map_err(|e| bad(&e))?;
    let target: Domain = target.parse().map_err(|e| bad(&e))?;
    let port: u16 = port.parse().map_err(|e| bad(&e))?;
    let num = |i: usize| -> Result<u16, String> {
        rest.get(i)
            .map_or(Ok(0), |s| s.parse().map_err(|e| bad(&e)))
    };
    let t = SrvTarget::new(target, port)
        .with_priority(num(0)?)
        .with_weight(num(1)?);
    Ok((domain, t))
}

fn print_location(loc: &Location) {
    println!("3. SRV answer:");
    match &loc.srv {
        SrvAnswer::Targets { targets, ttl } => {
            println!("   {} target(s), TTL {ttl} s", targets.len());
            for t in targets {
                println!(
                    "   - {}:{} priority {} weight {} ttl {} addresses {:?}",
                    t.target, t.port, t.priority, t.weight, t.ttl, t.addrs
                );
            }
        }
        SrvAnswer::NoService { ttl } => println!("   target '.': no service (TTL {ttl} s)"),
        SrvAnswer::NxDomain { negative_ttl } => {
            println!(
                "   NXDOMAIN (negative TTL {negative_ttl:?}): fall back to the domain, port 80"
            );
        }
        SrvAnswer::NoData { negative_ttl } => {
            println!("   NODATA (negative TTL {negative_ttl:?}): fall back to the domain, port 80");
        }
        other => println!("   {other:?}"),
    }
    println!("4. Candidates in RFC 2782 order (addresses looked up up to the first usable):");
    for c in &loc.candidates {
        let source = match c.source {
            Source::Srv { priority, weight } => format!("SRV priority {priority} weight {weight}"),
            Source::Fallback => "fallback".to_owned(),
            other => format!("{other:?}"),
        };
        println!(
            "   - {}:{} ({source}) addresses {:?}",
            c.host, c.port, c.addrs
        );
    }
    if let Some(server) = loc.server() {
        println!("5. IM host for the URL: {}", server.authority());
        println!();
        println!("logical URL: {}", loc.logical_url);
        println!(
            "request:     <METHOD> {} HTTP/1.1",
            loc.logical_url.origin_form()
        );
        println!("Host:        {}", loc.logical_url.host_header());
        for addr in &server.addrs {
            println!("connect to:  {}", SocketAddr::new(*addr, server.port));
        }
    }
}

async fn run<R: Resolve>(resolver: &R, address: &Address, seed: Option<u64>) -> ExitCode {
    let mut rng = match seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::from_os_rng(),
    };
    match locate(resolver, address, &mut rng).await {
        Ok(loc) => {
            print_location(&loc);
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    println!("1. Address: {:?}", args.address);
    let address: Address = match args.address.parse() {
        Ok(a) => a,
        Err(e) => {
            println!("   invalid: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "   alias {:?}, domain {:?}",
        address.alias().as_str(),
        address.domain().as_str()
    );
    println!("2. SRV query: {}", address.domain().rvp_srv_name());
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        eprintln!("cannot start the tokio runtime");
        return ExitCode::FAILURE;
    };
    if args.static_mode {
        let mut table = StaticResolver::new();
        if let (Ok(adatum), Ok(im), Ok(ip)) = (
            "adatum.com".parse::<Domain>(),
            "im.adatum.com".parse::<Domain>(),
            "10.10.1.1".parse::<IpAddr>(),
        ) {
            table = table
                .with_srv(adatum, vec![SrvTarget::new(im.clone(), 80)])
                .with_host(im, vec![ip]);
        }
        let mut srv: Vec<(Domain, Vec<SrvTarget>)> = Vec::new();
        for (d, t) in args.srv {
            match srv.iter_mut().find(|(known, _)| *known == d) {
                Some((_, list)) => list.push(t),
                None => srv.push((d, vec![t])),
            }
        }
        for (d, targets) in srv {
            table = table.with_srv(d, targets);
        }
        let mut hosts: Vec<(Domain, Vec<IpAddr>)> = Vec::new();
        for (h, ip) in args.hosts {
            match hosts.iter_mut().find(|(known, _)| *known == h) {
                Some((_, list)) => list.push(ip),
                None => hosts.push((h, vec![ip])),
            }
        }
        for (h, ips) in hosts {
            table = table.with_host(h, ips);
        }
        println!("   (static table, no DNS)");
        return runtime.block_on(run(&table, &address, args.seed));
    }
    let mut config = if args.servers.is_empty() {
        match ResolverConfig::system() {
            Ok(c) => c,
            Err(e) => {
                println!("   no name server: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        ResolverConfig::new(args.servers)
    };
    if let Some(t) = args.timeout {
        config.timeout = t;
    }
    if args.no_edns {
        config.edns_payload = None;
    }
    println!(
        "   name servers {:?}, timeout {:?}, attempts {}",
        config.name_servers, config.timeout, config.attempts
    );
    let resolver = DnsResolver::new(config);
    let code = runtime.block_on(run(&resolver, &address, args.seed));
    let stats = resolver.stats();
    println!(
        "({} UDP and {} TCP queries)",
        stats.udp_queries, stats.tcp_queries
    );
    code
}
