//! ACLs on disk, and conversion between the wire form (`rvp-codec`) and the
//! model's (`presence-model`).
//!
//! Each principal's ACL is one file, `<data-dir>/acl/<domain>/<alias>.xml`,
//! holding the `a:rvpacl` document the server would answer an ACL read
//! with. Writes are crash-safe: a temporary file in the same directory is
//! written and synced, renamed over the old one, and the directory synced,
//! so a crash leaves either the old or the new ACL, never a torn one. A
//! temporary file left by a crash (`.<alias>.tmp-<pid>`) is never read and
//! is replaced by the next save from a process with the same id; a failed
//! save removes its temporary file and leaves the old ACL file as it was.
//!
//! A principal with no file has the default ACL
//! ([`presence_model::Acl::default_for`]). A file that exists but cannot be
//! used (unreadable, too large, not an `rvpacl` document, a bad principal
//! URL, or refused by the core) does **not** fall back to that permissive
//! default: the principal gets an empty ACL, so only its owner has rights
//! (others see it offline and cannot message, read or watch it), and the
//! server logs an error naming the file. The file is left in place for the
//! operator; the owner's next ACL write replaces it.

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
        let written = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &path)
        })();
        if let Err(e) = written {
            // The old file is untouched; leave no temporary file behind.
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use presence_model::PrincipalId;

    use super::*;
    use crate::config::{Config, DomainConfig};

    /// A data directory removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new() -> Self {
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "rvp-acl-store-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            Self(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names() -> Names {
        Names::new(&Config {
            domains: vec![DomainConfig {
                name: "example.com".into(),
                host_names: Vec::new(),
            }],
            ..Config::default()
        })
    }

    fn url(alias: &str) -> PrincipalId {
        PrincipalId::new(format!("http://example.com/instmsg/aliases/{alias}"))
    }

    /// Alice's ACL blocking bob (digest only) and granting carol `list`.
    fn blocking() -> Acl {
        let mut acl = Acl::default_for(&url("alice"));
        acl.push(Ace {
            credentials: Credentials::DIGEST | Credentials::NTLM,
            ..Ace::deny(
                AcePrincipal::Principal(url("bob")),
                Rights::SEND_TO | Rights::PRESENCE,
            )
        });
        acl.push(Ace::grant(
            AcePrincipal::Principal(url("carol")),
            Rights::LIST | Rights::SUBSCRIPTIONS,
        ));
        acl
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn round_trip_keeps_every_ace_and_leaves_no_temporary_file() {
        let dir = Dir::new();
        let store = AclStore::new(&dir.0);
        let names = names();
        assert_eq!(store.load(&names, "example.com", "alice"), Ok(None));
        store.save("example.com", "alice", &blocking()).unwrap();
        assert_eq!(
            store.load(&names, "example.com", "alice"),
            Ok(Some(blocking()))
        );
        // Names are case-insensitive on disk as on the wire.
        assert_eq!(
            store.load(&names, "EXAMPLE.COM", "Alice"),
            Ok(Some(blocking()))
        );
        // A second save replaces the first.
        let open = Acl::default_for(&url("alice"));
        store.save("example.com", "alice", &open).unwrap();
        assert_eq!(store.load(&names, "example.com", "alice"), Ok(Some(open)));
        assert_eq!(files_in(&dir.0.join("acl/example.com")), ["alice.xml"]);
        // An empty ACL (owner only) is an ACL, not "no file".
        store.save("example.com", "alice", &Acl::new()).unwrap();
        assert_eq!(
            store.load(&names, "example.com", "alice"),
            Ok(Some(Acl::new()))
        );
    }

    #[test]
    fn leftover_temporary_files_are_ignored() {
        let dir = Dir::new();
        let store = AclStore::new(&dir.0);
        let names = names();
        store.save("example.com", "alice", &blocking()).unwrap();
        let domain = dir.0.join("acl/example.com");
        // What a crash between write and rename leaves: ours, and another
        // process's.
        let mine = domain.join(format!(".alice.tmp-{}", std::process::id()));
        let other = domain.join(".alice.tmp-1");
        fs::write(&mine, b"<torn").unwrap();
        fs::write(&other, b"<torn").unwrap();
        assert_eq!(
            store.load(&names, "example.com", "alice"),
            Ok(Some(blocking()))
        );
        // The next save goes through (and reuses our temporary name).
        let open = Acl::default_for(&url("alice"));
        store.save("example.com", "alice", &open).unwrap();
        assert_eq!(store.load(&names, "example.com", "alice"), Ok(Some(open)));
        assert!(!mine.exists());
        assert_eq!(files_in(&domain), [".alice.tmp-1", "alice.xml"]);
    }

    #[test]
    fn an_unusable_file_is_an_error_never_no_acl() {
        let dir = Dir::new();
        let store = AclStore::new(&dir.0);
        let names = names();
        let domain = dir.0.join("acl/example.com");
        fs::create_dir_all(&domain).unwrap();
        let path = domain.join("alice.xml");
        let bad_principal = format!(
            "<?xml version=\"1.0\"?><a:rvpacl xmlns:a=\"http://schemas.microsoft.com/rvp/acl/\"><a:acl><a:ace><a:principal><a:rvp-principal>{}</a:rvp-principal><a:credentials><a:digest/></a:credentials></a:principal><a:grant><a:read/></a:grant><a:deny/></a:ace></a:acl></a:rvpacl>",
            "not a url"
        );
        for (what, bytes) in [
            ("garbage", b"\x00\xffnot xml".to_vec()),
            ("torn", {
                let full = to_wire(&blocking()).to_bytes();
                full[..full.len() / 2].to_vec()
            }),
            ("empty", Vec::new()),
            (
                "another document",
                b"<d:propfind xmlns:d=\"DAV:\"><d:allprop/></d:propfind>".to_vec(),
            ),
            ("bad principal", bad_principal.into_bytes()),
        ] {
            fs::write(&path, &bytes).unwrap();
            let e = store.load(&names, "example.com", "alice").expect_err(what);
            assert!(e.contains("alice.xml"), "{what}: {e}");
        }
        // Too large to be an ACL.
        fs::write(
            &path,
            vec![b' '; usize::try_from(MAX_ACL_FILE).unwrap() + 1],
        )
        .unwrap();
        let e = store.load(&names, "example.com", "alice").unwrap_err();
        assert!(e.contains("larger than"), "{e}");
        // Not a file at all.
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert!(store.load(&names, "example.com", "alice").is_err());
    }

    #[test]
    fn a_failed_save_changes_nothing() {
        let dir = Dir::new();
        let store = AclStore::new(&dir.0);
        let names = names();
        store.save("example.com", "alice", &blocking()).unwrap();
        let domain = dir.0.join("acl/example.com");
        let before = fs::read(domain.join("alice.xml")).unwrap();

        // The temporary file cannot be created (a directory is in the way;
        // permission bits would not stop root).
        let tmp = domain.join(format!(".alice.tmp-{}", std::process::id()));
        fs::create_dir(&tmp).unwrap();
        assert!(store.save("example.com", "alice", &Acl::new()).is_err());
        assert_eq!(fs::read(domain.join("alice.xml")).unwrap(), before);
        assert_eq!(
            store.load(&names, "example.com", "alice"),
            Ok(Some(blocking()))
        );
        fs::remove_dir(&tmp).unwrap();

        // The rename fails (the target is a non-empty directory): the
        // temporary file is removed.
        fs::create_dir_all(domain.join("bob.xml/x")).unwrap();
        assert!(store.save("example.com", "bob", &Acl::new()).is_err());
        assert_eq!(files_in(&domain), ["alice.xml", "bob.xml"]);

        // The domain directory cannot be created (a file is in the way).
        fs::write(dir.0.join("acl/other.example"), b"").unwrap();
        assert!(store.save("other.example", "carol", &Acl::new()).is_err());
        assert_eq!(fs::read(dir.0.join("acl/other.example")).unwrap(), b"");
    }
}
