//! In-test DNS servers on loopback: a UDP server that always truncates with a TCP server on
//! the same port, a silent server, and a server that sends a forged reply first.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode};
use hickory_proto::rr::rdata::{A, SRV};
use hickory_proto::rr::{Name, RData, Record};
use im_url::{DnsResolver, Domain, ResolveError, ResolverConfig, SrvAnswer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// The full answer to `query`: two SRV targets with glue.
fn answer(query: &[u8]) -> Vec<u8> {
    let q = Message::from_vec(query).unwrap();
    let mut m = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
    m.add_queries(q.queries.clone());
    let owner = q.queries[0].name().clone();
    for (i, port) in [(1u8, 18207u16), (2, 18208)] {
        let target = Name::from_ascii(format!("im{i}.fake.test.")).unwrap();
        m.add_answer(Record::from_rdata(
            owner.clone(),
            60,
            RData::SRV(SRV::new(10, 50, port, target.clone())),
        ));
        m.add_additional(Record::from_rdata(
            target,
            60,
            RData::A(A(Ipv4Addr::new(127, 0, 0, i))),
        ));
    }
    m.to_vec().unwrap()
}

/// Header-only reply with QR and TC set.
fn truncated(query: &[u8]) -> Vec<u8> {
    let q = Message::from_vec(query).unwrap();
    let mut m = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.truncation = true;
    m.add_queries(q.queries.clone());
    m.to_vec().unwrap()
}

/// Binds UDP and TCP on the same free loopback port (retrying on races).
async fn bind_pair() -> (UdpSocket, TcpListener) {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let port = udp.local_addr().unwrap().port();
        if let Ok(tcp) = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            return (udp, tcp);
        }
    }
    panic!("no free loopback port pair");
}

fn config(servers: Vec<SocketAddr>) -> ResolverConfig {
    let mut c = ResolverConfig::new(servers);
    c.timeout = Duration::from_millis(300);
    c.attempts = 2;
    c
}

fn domain() -> Domain {
    "fake.test".parse().unwrap()
}

#[tokio::test]
async fn truncated_udp_answer_is_retried_over_tcp() {
    let (udp, tcp) = bind_pair().await;
    let addr = udp.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let (n, from) = udp.recv_from(&mut buf).await.unwrap();
            udp.send_to(&truncated(&buf[..n]), from).await.unwrap();
        }
    });
    tokio::spawn(async move {
        loop {
            let (mut s, _) = tcp.accept().await.unwrap();
            let mut len = [0u8; 2];
            s.read_exact(&mut len).await.unwrap();
            let mut q = vec![0u8; usize::from(u16::from_be_bytes(len))];
            s.read_exact(&mut q).await.unwrap();
            let a = answer(&q);
            let mut out = u16::try_from(a.len()).unwrap().to_be_bytes().to_vec();
            out.extend(a);
            s.write_all(&out).await.unwrap();
        }
    });
    let r = DnsResolver::new(config(vec![addr]));
    let SrvAnswer::Targets { targets, ttl } = r.lookup_srv(&domain()).await.unwrap() else {
        panic!("expected targets");
    };
    assert_eq!(ttl, 60);
    assert_eq!(targets.len(), 2);
    assert_eq!(
        targets[0].addrs,
        vec![std::net::IpAddr::from([127, 0, 0, 1])]
    );
    let stats = r.stats();
    assert_eq!((stats.udp_queries, stats.tcp_queries), (1, 1));
}

#[tokio::test]
async fn silent_server_times_out_and_the_next_server_answers() {
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let good = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let good_addr = good.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let (n, from) = good.recv_from(&mut buf).await.unwrap();
            // A forged reply (wrong id) first: the resolver must ignore it.
            let mut forged = answer(&buf[..n]);
            forged[0] ^= 0xff;
            good.send_to(&forged, from).await.unwrap();
            good.send_to(&answer(&buf[..n]), from).await.unwrap();
        }
    });
    let r = DnsResolver::new(config(vec![silent_addr, good_addr]));
    let answer = r.lookup_srv(&domain()).await.unwrap();
    assert!(matches!(answer, SrvAnswer::Targets { .. }));
    assert_eq!(r.stats().udp_queries, 2);

    let only_silent = DnsResolver::new(config(vec![silent_addr]));
    let started = std::time::Instant::now();
    let err = only_silent.lookup_srv(&domain()).await.unwrap_err();
    assert_eq!(
        err,
        ResolveError::Timeout {
            name: "_rvp._tcp.fake.test".into()
        }
    );
    // Two attempts of 300 ms each.
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(only_silent.stats().udp_queries, 2);
    drop(silent);
}

#[tokio::test]
async fn closed_port_fails_fast_with_an_io_error() {
    let port = {
        let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        probe.local_addr().unwrap().port()
    };
    let server = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut c = config(vec![server]);
    c.timeout = Duration::from_secs(5);
    let r = DnsResolver::new(c);
    let started = std::time::Instant::now();
    let err = r.lookup_srv(&domain()).await.unwrap_err();
    // Loopback answers ICMP port unreachable at once: no 2 x 5 s wait.
    assert_eq!(
        err,
        ResolveError::Io {
            server,
            kind: std::io::ErrorKind::ConnectionRefused
        }
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
