//! ACLs on disk, and conversion between the wire form (`rvp-codec`) and the
//! model's (`presence-model`).
//!
//! Each principal's ACL is one file, `<data-dir>/acl/<domain>/<alias>.xml`,
//! holding the `a:rvpacl` document the server would answer an ACL read
//! with. Writes are crash-safe: a temporary file in the same directory is
//! written and synced, renamed over the old one, and the directory synced,
//! so a crash leaves either the old or the new ACL, never a torn one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use presence_model::{Ace, AcePrincipal, Acl, Credentials, Rights};
use rvp_codec::xml;

use crate::names::{Named, Names};

/// The largest ACL file read back.
const MAX_ACL_FILE: u64 = 1 << 20;

/// ACL persistence under a data directory.
#[derive(Debug)]
pub(crate) struct AclStore {
    root: PathBuf,
    /// The files' contents kept in memory instead (the fuzzing harness).
    #[cfg(feature = "fuzzing")]
    memory: Option<std::sync::Mutex<std::collections::HashMap<PathBuf, Vec<u8>>>>,
}

/// A wire ACL that cannot become a model ACL.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AclConversionError {
    /// An `rvp-principal` that is not a principal URL.
    #[error("rvp-principal {0:?} is not a principal URL")]
    BadPrincipal(String),
}

impl AclStore {
    pub(crate) fn new(data_dir: &Path) -> Self {
        Self {
            root: data_dir.join("acl"),
            #[cfg(feature = "fuzzing")]
            memory: None,
        }
    }

    /// A store that keeps what it would write in memory (feature `fuzzing`).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn in_memory() -> Self {
        Self {
            root: PathBuf::from("acl"),
            memory: Some(std::sync::Mutex::default()),
        }
    }

    fn path(&self, domain: &str, alias: &str) -> PathBuf {
        self.root
            .join(domain.to_ascii_lowercase())
            .join(format!("{}.xml", alias.to_ascii_lowercase()))
    }

    /// Writes an ACL (crash-safe, see the module docs).
    pub(crate) fn save(&self, domain: &str, alias: &str, acl: &Acl) -> std::io::Result<()> {
        let path = self.path(domain, alias);
        #[cfg(feature = "fuzzing")]
        if let Some(memory) = &self.memory {
            let bytes = to_wire(acl).to_bytes().to_vec();
            memory
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(path, bytes);
            return Ok(());
        }
        let dir = path
            .parent()
            .map_or_else(|| self.root.clone(), Path::to_path_buf);
        fs::create_dir_all(&dir)?;
        let bytes = to_wire(acl).to_bytes();
        let tmp = dir.join(format!(
            ".{}.tmp-{}",
            alias.to_ascii_lowercase(),
            std::process::id()
        ));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path)?;
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// The bytes of a stored ACL file; `Ok(None)` when there is none.
    fn read(&self, path: &Path) -> Result<Option<Vec<u8>>, String> {
        #[cfg(feature = "fuzzing")]
        if let Some(memory) = &self.memory {
            let memory = memory
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            return Ok(memory.get(path).cloned());
        }
        let meta = match fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if meta.len() > MAX_ACL_FILE {
            return Err(format!(
                "{}: larger than {MAX_ACL_FILE} bytes",
                path.display()
            ));
        }
        fs::read(path)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a stored ACL; `Ok(None)` when there is none.
    pub(crate) fn load(
        &self,
        names: &Names,
        domain: &str,
        alias: &str,
    ) -> Result<Option<Acl>, String> {
        let path = self.path(domain, alias);
        let bytes = match self.read(&path)? {
            Some(b) => b,
            None => return Ok(None),
        };
        let doc = xml::RvpAcl::decode(&bytes, &rvp_codec::Config::strict())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        from_wire(names, &doc)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// The model's ACL as an `a:rvpacl` document.
pub(crate) fn to_wire(acl: &Acl) -> xml::RvpAcl {
    let aces = acl
        .aces()
        .iter()
        .map(|ace| xml::Ace {
            principal: match &ace.principal {
                AcePrincipal::Principal(p) => xml::AcePrincipal::Url(p.as_str().to_owned()),
                _ => xml::AcePrincipal::AllPrincipals,
            },
            credentials: credentials_to_wire(ace.credentials),
            grant: rights_to_wire(ace.grant),
            deny: rights_to_wire(ace.deny),
        })
        .collect();
    xml::RvpAcl {
        acl: Some(xml::Acl {
            inheritance: Some("none".to_owned()),
            aces,
        }),
    }
}

/// A wire ACL as the model's. Principal URLs of our domains become their
/// canonical identity, so an ACE written with any form of a principal's URL
/// matches requests from it.
pub(crate) fn from_wire(names: &Names, doc: &xml::RvpAcl) -> Result<Acl, AclConversionError> {
    let mut acl = Acl::new();
    let Some(wire) = &doc.acl else {
        return Ok(acl);
    };
    for ace in &wire.aces {
        let principal = match &ace.principal {
            xml::AcePrincipal::AllPrincipals => AcePrincipal::AllPrincipals,
            xml::AcePrincipal::Url(url) => {
                let named = names
                    .classify_str(url)
                    .filter(|n| !matches!(n, Named::NotAPrincipal))
                    .ok_or_else(|| AclConversionError::BadPrincipal(url.clone()))?;
                let id = names
                    .principal_id(&named)
                    .ok_or_else(|| AclConversionError::BadPrincipal(url.clone()))?;
                AcePrincipal::Principal(id)
            }
            _ => AcePrincipal::AllPrincipals,
        };
        acl.push(Ace {
            principal,
            credentials: credentials_from_wire(ace.credentials),
            grant: rights_from_wire(ace.grant),
            deny: rights_from_wire(ace.deny),
        });
    }
    Ok(acl)
}

fn rights_to_wire(r: Rights) -> xml::Rights {
    let mut out = xml::Rights::empty();
    for token in r.tokens() {
        if let Some(x) = xml::Rights::from_name(token) {
            out.insert(x);
        }
    }
    out
}

fn rights_from_wire(r: xml::Rights) -> Rights {
    r.names()
        .filter_map(Rights::from_token)
        .fold(Rights::NONE, |a, b| a | b)
}

fn credentials_to_wire(c: Credentials) -> xml::Credentials {
    let mut out = xml::Credentials::empty();
    for (kind, name) in [
        (Credentials::NTLM, "ntlm"),
        (Credentials::DIGEST, "digest"),
        (Credentials::ASSERTION, "assertion"),
        (Credentials::INTERNAL, "internal"),
    ] {
        if c.accepts_all(kind)
            && let Some(x) = xml::Credentials::from_name(name)
        {
            out.insert(x);
        }
    }
    out
}

fn credentials_from_wire(c: xml::Credentials) -> Credentials {
    let mut out = Credentials::NONE;
    for name in c.names() {
        out = out
            | match name {
                "ntlm" => Credentials::NTLM,
                "digest" => Credentials::DIGEST,
                "assertion" => Credentials::ASSERTION,
                "internal" => Credentials::INTERNAL,
                "any" => Credentials::ANY,
                _ => Credentials::NONE,
            };
    }
    out
}

trait AcceptsAll {
    fn accepts_all(self, other: Credentials) -> bool;
}

impl AcceptsAll for Credentials {
    fn accepts_all(self, other: Credentials) -> bool {
        (self | other) == self
    }
}
