//! Real SRV records served by a real DNS server: dnsmasq, started per test on 127.0.0.1 and
//! a free port, answering only from its command line (`--no-resolv --no-hosts`, names
//! under `.test` are local, everything else is REFUSED). No query leaves the machine.
//!
//! The binary is `$IM_URL_DNSMASQ` when set, else `dnsmasq` in `PATH`, else
//! `/usr/sbin/dnsmasq`. When it is missing these tests fail if `CI` is set, and otherwise
//! print a skip message and pass.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use im_url::{
    Address, DnsQuery, DnsResolver, Domain, ResolveError, ResolverConfig, Source, SrvAnswer,
    locate, select_target,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A dnsmasq child process, killed on drop.
struct Dnsmasq {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$IM_URL_DNSMASQ` if set (only that path), else `dnsmasq` in `PATH`, else `/usr/sbin`.
fn binary() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os("IM_URL_DNSMASQ") {
        let p = PathBuf::from(explicit);
        return p.is_file().then_some(p);
    }
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("dnsmasq"))
            .find(|p| p.is_file())
    });
    from_path.or_else(|| {
        [
            "/usr/sbin/dnsmasq",
            "/usr/local/sbin/dnsmasq",
            "/sbin/dnsmasq",
        ]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    })
}

/// Does anything answer DNS on `addr`?
fn answers(addr: SocketAddr) -> bool {
    let Ok(sock) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_millis(100)));
    let q = DnsQuery::srv(&"ready.test".parse().unwrap(), 1);
    if sock.send_to(&q.to_bytes().unwrap(), addr).is_err() {
        return false;
    }
    let mut buf = [0u8; 512];
    sock.recv_from(&mut buf).is_ok()
}

/// Starts dnsmasq with `records` (and `--local=/test/`), or returns `None` to skip.
fn start(records: &[String]) -> Option<Dnsmasq> {
    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "dnsmasq is not installed, and CI is set: install the Debian package dnsmasq-base"
        );
        eprintln!("SKIP: dnsmasq not found (install dnsmasq-base); DNS tests did not run");
        return None;
    };
    for _ in 0..10 {
        // A free port: bind it, read it, release it. Another process may grab it before
        // dnsmasq binds; then dnsmasq exits and we try another.
        let port = {
            let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            probe.local_addr().unwrap().port()
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let child = Command::new(&bin)
            .args([
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--pid-file",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--local=/test/",
                "--log-facility=-",
            ])
            .arg(format!("--port={port}"))
            .args(records)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dnsmasq");
        let mut server = Dnsmasq { child, addr };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = server.child.try_wait() {
                break;
            }
            if answers(addr) {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(server);
    }
    panic!("dnsmasq did not start on any free port");
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn resolver(server: &Dnsmasq) -> DnsResolver {
    let mut c = ResolverConfig::new(vec![server.addr]);
    c.timeout = Duration::from_secs(2);
    DnsResolver::new(c)
}

fn d(s: &str) -> Domain {
    s.parse().unwrap()
}

/// `weighted.test`: priority 10 with weights 10/30/60 on ports 18207-18209, and a
/// priority-20 backup; every target has an address.
fn weighted_records() -> Vec<String> {
    args(&[
        "--local-ttl=300",
        "--srv-host=_rvp._tcp.weighted.test,a.weighted.test,18207,10,10",
        "--srv-host=_rvp._tcp.weighted.test,b.weighted.test,18208,10,30",
        "--srv-host=_rvp._tcp.weighted.test,c.weighted.test,18209,10,60",
        "--srv-host=_rvp._tcp.weighted.test,backup.weighted.test,80,20,100",
        "--host-record=a.weighted.test,127.0.0.11",
        "--host-record=b.weighted.test,127.0.0.12",
        "--host-record=c.weighted.test,127.0.0.13",
        "--host-record=backup.weighted.test,127.0.0.14",
        "--host-record=plain.test,127.0.0.3",
        "--host-record=nodata.test,127.0.0.4",
        "--txt-record=_rvp._tcp.nodata.test,not an SRV record",
        "--srv-host=_rvp._tcp.closed.test",
    ])
}

#[tokio::test]
async fn priorities_weights_ports_and_additional_records() {
    let Some(server) = start(&weighted_records()) else {
        return;
    };
    let r = resolver(&server);
    let SrvAnswer::Targets { targets, ttl } = r.lookup_srv(&d("weighted.test")).await.unwrap()
    else {
        panic!("expected SRV targets");
    };
    assert_eq!(ttl, 300, "SRV records take dnsmasq's --local-ttl");
    assert_eq!(targets.len(), 4);
    let mut seen: Vec<(String, u16, u16, u16)> = targets
        .iter()
        .map(|t| (t.target.to_string(), t.port, t.priority, t.weight))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("a.weighted.test".into(), 18207, 10, 10),
            ("b.weighted.test".into(), 18208, 10, 30),
            ("backup.weighted.test".into(), 80, 20, 100),
            ("c.weighted.test".into(), 18209, 10, 60),
        ]
    );
    // dnsmasq puts the targets' A records in the additional section.
    for t in &targets {
        assert_eq!(t.addrs.len(), 1, "{}", t.target);
    }

    // RFC 2782 over many selections with a fixed seed: the backup is never chosen first,
    // and the three others share the selections by weight (draws range over 0..=100).
    let mut rng = ChaCha8Rng::seed_from_u64(2782);
    let n = 20_000u32;
    let mut counts = std::collections::HashMap::new();
    for _ in 0..n {
        let t = select_target(&targets, &mut rng).unwrap();
        *counts.entry(t.target.to_string()).or_insert(0u32) += 1;
    }
    assert!(!counts.contains_key("backup.weighted.test"));
    for (name, weight) in [("a", 10.0), ("b", 30.0), ("c", 60.0)] {
        let share = f64::from(counts[&format!("{name}.weighted.test")]) / f64::from(n);
        assert!(
            (share - weight / 100.0).abs() < 0.015,
            "{name}: {share} vs {weight}%: {counts:?}"
        );
    }

    // The whole flow: the chosen target's port (not 80) goes into the logical URL.
    let alice: Address = "alice@weighted.test".parse().unwrap();
    let loc = locate(&r, &alice, &mut ChaCha8Rng::seed_from_u64(1))
        .await
        .unwrap();
    let server_ep = loc.server().unwrap();
    assert_ne!(server_ep.port, 80);
    assert!(matches!(server_ep.source, Source::Srv { priority: 10, .. }));
    assert_eq!(
        loc.logical_url.to_string(),
        format!(
            "http://{}:{}/instmsg/aliases/alice",
            server_ep.host, server_ep.port
        )
    );
    assert_eq!(loc.candidates.len(), 4);
    assert_eq!(loc.candidates[3].host.as_str(), "backup.weighted.test");
}

#[tokio::test]
async fn fallback_nodata_nxdomain_and_no_service() {
    let Some(server) = start(&weighted_records()) else {
        return;
    };
    let r = resolver(&server);

    // No SRV name at all: NXDOMAIN, then the domain itself on port 80.
    assert!(matches!(
        r.lookup_srv(&d("plain.test")).await.unwrap(),
        SrvAnswer::NxDomain { .. }
    ));
    let bob: Address = "bob@plain.test".parse().unwrap();
    let loc = locate(&r, &bob, &mut ChaCha8Rng::seed_from_u64(0))
        .await
        .unwrap();
    let ep = loc.server().unwrap();
    assert_eq!(
        (ep.host.as_str(), ep.port, ep.source),
        ("plain.test", 80, Source::Fallback)
    );
    assert_eq!(ep.addrs, vec![IpAddr::from([127, 0, 0, 3])]);
    assert_eq!(
        loc.logical_url.to_string(),
        "http://plain.test/instmsg/aliases/bob"
    );

    // The SRV name exists with only a TXT record: NODATA, also a fallback.
    assert!(matches!(
        r.lookup_srv(&d("nodata.test")).await.unwrap(),
        SrvAnswer::NoData { .. }
    ));
    let loc = locate(
        &r,
        &"carol@nodata.test".parse().unwrap(),
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .await
    .unwrap();
    assert_eq!(
        loc.server().unwrap().addrs,
        vec![IpAddr::from([127, 0, 0, 4])]
    );

    // Nothing exists: NXDOMAIN for the SRV name and for the domain.
    assert_eq!(
        locate(
            &r,
            &"dave@ghost.test".parse().unwrap(),
            &mut ChaCha8Rng::seed_from_u64(0)
        )
        .await,
        Err(ResolveError::NoSuchDomain {
            name: "ghost.test".into()
        })
    );

    // An SRV record with target ".": the domain has no RVP service.
    assert!(matches!(
        r.lookup_srv(&d("closed.test")).await.unwrap(),
        SrvAnswer::NoService { .. }
    ));
    assert_eq!(
        locate(
            &r,
            &"erin@closed.test".parse().unwrap(),
            &mut ChaCha8Rng::seed_from_u64(0)
        )
        .await,
        Err(ResolveError::NoService {
            domain: "closed.test".into()
        })
    );

    // Outside its local domain dnsmasq refuses: a server error, not a fallback.
    assert!(matches!(
        r.lookup_srv(&d("example.invalid")).await,
        Err(ResolveError::Dns { .. })
    ));
}

#[tokio::test]
async fn cache_honours_ttl_expiry_and_negative_caching() {
    let Some(server) = start(&args(&[
        "--local-ttl=2",
        "--srv-host=_rvp._tcp.short.test,im.short.test,18207,0,0",
        "--host-record=im.short.test,127.0.0.21",
    ])) else {
        return;
    };
    let mut c = ResolverConfig::new(vec![server.addr]);
    c.negative_ttl = Duration::from_secs(2);
    let r = DnsResolver::new(c);
    let short = d("short.test");

    let first = r.lookup_srv(&short).await.unwrap();
    assert!(matches!(first, SrvAnswer::Targets { ttl: 2, .. }));
    assert_eq!(r.lookup_srv(&short).await.unwrap(), first);
    let s = r.stats();
    assert_eq!((s.udp_queries, s.cache_hits), (1, 1));

    // Negative answers are cached too.
    let ghost = d("ghost.test");
    assert!(matches!(
        r.lookup_srv(&ghost).await.unwrap(),
        SrvAnswer::NxDomain { .. }
    ));
    assert!(matches!(
        r.lookup_srv(&ghost).await.unwrap(),
        SrvAnswer::NxDomain { .. }
    ));
    assert_eq!(r.stats().udp_queries, 2);

    // After the 2 s TTL both are asked again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(r.lookup_srv(&short).await.unwrap(), first);
    assert!(matches!(
        r.lookup_srv(&ghost).await.unwrap(),
        SrvAnswer::NxDomain { .. }
    ));
    let s = r.stats();
    assert_eq!(s.udp_queries, 4);
    assert_eq!(s.cache_hits, 2);
}

#[tokio::test]
async fn large_answer_is_truncated_over_udp_and_fetched_over_tcp() {
    let mut records = vec!["--local-ttl=60".to_owned()];
    for i in 0..24 {
        records.push(format!(
            "--srv-host=_rvp._tcp.big.test,server-number-{i:02}.big.test,{},0,{}",
            18200 + i,
            i + 1
        ));
    }
    let Some(server) = start(&records) else {
        return;
    };
    // Without EDNS the UDP answer is limited to 512 bytes: 24 SRV records do not fit.
    let mut c = ResolverConfig::new(vec![server.addr]);
    c.edns_payload = None;
    let r = DnsResolver::new(c);
    let SrvAnswer::Targets { targets, .. } = r.lookup_srv(&d("big.test")).await.unwrap() else {
        panic!("expected targets");
    };
    assert_eq!(targets.len(), 24);
    let s = r.stats();
    assert_eq!((s.udp_queries, s.tcp_queries), (1, 1));
}
