//! TEMPORARY stand-in until the directory module lands (replaced on merge).
#![allow(missing_docs)]
use std::sync::Arc;
#[derive(Debug, Clone)]
pub struct StoredCredentials;
#[derive(Debug, Clone)]
pub struct PrincipalEntry {
    pub alias: String,
    pub domain: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub home_server: Option<String>,
    pub credentials: StoredCredentials,
}
pub trait Directory: Send + Sync + std::fmt::Debug {
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>>;
    fn principals(&self) -> Vec<Arc<PrincipalEntry>>;
}
#[derive(Debug, Default)]
pub struct MemoryDirectory(pub Vec<Arc<PrincipalEntry>>);
impl Directory for MemoryDirectory {
    fn lookup(&self, domain: &str, alias: &str) -> Option<Arc<PrincipalEntry>> {
        self.0.iter().find(|e| e.domain.eq_ignore_ascii_case(domain) && e.alias.eq_ignore_ascii_case(alias)).cloned()
    }
    fn principals(&self) -> Vec<Arc<PrincipalEntry>> { self.0.clone() }
}
