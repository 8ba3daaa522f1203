//! TEMPORARY stand-in until the auth module lands (replaced on merge).
#![allow(missing_docs)]
use std::sync::Arc;
use std::time::Instant;
use rvp_codec::header::{DigestCredentials, WwwAuthenticate};
use crate::directory::{Directory, PrincipalEntry};
#[derive(Debug, Default)]
pub struct DigestAuth;
#[derive(Debug)]
pub struct Verified { pub entry: Arc<PrincipalEntry> }
#[derive(Debug, thiserror::Error)]
pub enum AuthError { #[error("stale")] Stale, #[error("bad")] Bad }
impl AuthError { pub fn is_stale(&self) -> bool { matches!(self, Self::Stale) } }
impl DigestAuth {
    pub fn challenge(&self, _now: Instant, _realm: &str, _stale: bool) -> WwwAuthenticate { WwwAuthenticate(Vec::new()) }
    pub fn verify(&self, _now: Instant, _method: &str, _uri: &str, c: &DigestCredentials, d: &dyn Directory, domain: &str) -> Result<Verified, AuthError> {
        d.lookup(domain, c.username.as_str()).map(|entry| Verified { entry }).ok_or(AuthError::Bad)
    }
}
