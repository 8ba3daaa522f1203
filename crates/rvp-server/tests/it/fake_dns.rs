//! A DNS server on loopback UDP for routing tests (the server asks it
//! through `routing.name-servers`): `_rvp._tcp` SRV records and A records
//! from a fixed table; every other name is NXDOMAIN, AAAA is NODATA.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, SRV};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;

/// The records served.
#[derive(Clone, Debug, Default)]
pub struct Zone {
    /// IM domain -> (SRV target, port).
    srv: HashMap<String, (String, u16)>,
    /// Host -> IPv4 addresses.
    hosts: HashMap<String, Vec<Ipv4Addr>>,
}

impl Zone {
    pub fn new() -> Self {
        Self::default()
    }

    /// `_rvp._tcp.<domain>` SRV -> `target:port`.
    pub fn srv(mut self, domain: &str, target: &str, port: u16) -> Self {
        self.srv
            .insert(domain.to_ascii_lowercase(), (target.into(), port));
        self
    }

    /// `host` A -> `addr`.
    pub fn host(mut self, host: &str, addr: Ipv4Addr) -> Self {
        self.hosts
            .entry(host.to_ascii_lowercase())
            .or_default()
            .push(addr);
        self
    }
}

/// A running fake DNS server.
pub struct FakeDns {
    pub addr: SocketAddr,
}

impl FakeDns {
    pub async fn start(zone: Zone) -> Self {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = socket.local_addr().unwrap();
        let zone = Arc::new(zone);
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                    break;
                };
                if let Some(reply) = answer(&zone, &buf[..n]) {
                    let _ = socket.send_to(&reply, from).await;
                }
            }
        });
        Self { addr }
    }

    /// The configuration line that makes a server ask this one.
    pub fn config_line(&self) -> String {
        format!("name-servers = [\"{}\"]\n", self.addr)
    }
}

fn answer(zone: &Zone, query: &[u8]) -> Option<Vec<u8>> {
    let q = Message::from_vec(query).ok()?;
    let question = q.queries.first()?.clone();
    let mut m = Message::new(q.metadata.id, MessageType::Response, OpCode::Query);
    m.metadata.recursion_desired = q.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.add_queries(q.queries.clone());
    let name = question.name().to_ascii().to_ascii_lowercase();
    let name = name.trim_end_matches('.');
    let owner = question.name().clone();
    match question.query_type() {
        RecordType::SRV => {
            let domain = name.strip_prefix("_rvp._tcp.").unwrap_or("");
            match zone.srv.get(domain) {
                Some((target, port)) => {
                    let target = Name::from_ascii(format!("{target}.")).ok()?;
                    m.add_answer(Record::from_rdata(
                        owner,
                        0,
                        RData::SRV(SRV::new(0, 0, *port, target)),
                    ));
                }
                None => m.metadata.response_code = ResponseCode::NXDomain,
            }
        }
        RecordType::A => match zone.hosts.get(name) {
            Some(addrs) => {
                for a in addrs {
                    m.add_answer(Record::from_rdata(owner.clone(), 0, RData::A(A(*a))));
                }
            }
            None => m.metadata.response_code = ResponseCode::NXDomain,
        },
        _ => {
            if !zone.hosts.contains_key(name) {
                m.metadata.response_code = ResponseCode::NXDomain;
            }
        }
    }
    m.to_vec().ok()
}
