//! Tests of the directory file (kept apart so `file.rs` stays short).

use super::*;

/// A fresh directory under the system's temporary directory, removed on drop.
struct TestDir(PathBuf);

impl TestDir {
    fn new(name: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "rvp-directory-test-{}-{}-{name}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&p).unwrap();
        Self(p)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const EXAMPLE: &str = include_str!("example.toml");

fn parse_str(text: &str) -> Result<Table, DirectoryError> {
    parse(
        text,
        Some(Path::new("dir.toml")),
        &DirectoryLimits::default(),
    )
}

fn err_line(e: &DirectoryError) -> Option<usize> {
    match e {
        DirectoryError::Syntax { at, .. }
        | DirectoryError::InvalidField { at, .. }
        | DirectoryError::TooManyPrincipals { at, .. }
        | DirectoryError::Duplicate { at, .. } => at.line,
        _ => None,
    }
}

#[test]
fn documented_example_parses() {
    let t = parse_str(EXAMPLE).unwrap();
    assert_eq!(t.len(), 2);
    let alice = t.get("example.com", "alice").unwrap();
    let want = StoredCredentials::derive(
        "alice",
        "example.com",
        "example.com",
        Some("CORP"),
        "secret",
    );
    assert_eq!(alice.credentials, want);
    assert_eq!(alice.display_name.as_deref(), Some("Alice Liddell"));
    let bob = t.get("example.com", "bob").unwrap();
    assert_eq!(bob.home_server.as_deref(), Some("im2.example.com:8080"));
    assert!(bob.credentials.forms().is_empty());
    // Render and parse again: the same entries.
    let again = parse_str(&render(&t)).unwrap();
    let a: Vec<_> = t.sorted().iter().map(|e| (**e).clone()).collect();
    let b: Vec<_> = again.sorted().iter().map(|e| (**e).clone()).collect();
    assert_eq!(a, b);
}

#[test]
fn edits_persist() {
    let d = TestDir::new("edits");
    let path = d.file("dir.toml");
    let dir = FileDirectory::create(&path).unwrap();
    assert!(dir.list().is_empty());
    dir.add(
        NewPrincipal::new("Alice", "Example.com").nt_domain("CORP"),
        "secret",
    )
    .unwrap();
    dir.add(NewPrincipal::new("bob", "example.com"), "pw")
        .unwrap();
    assert!(matches!(
        dir.add(NewPrincipal::new("ALICE", "example.com"), "x"),
        Err(DirectoryError::Duplicate { .. })
    ));

    let reopened = FileDirectory::open(&path).unwrap();
    let alice = reopened.lookup("example.com", "alice").unwrap();
    assert_eq!(alice.alias, "Alice");
    assert_eq!(alice.credentials.forms().len(), 4);
    let old = alice.credentials.clone();

    dir.set_password("example.com", "ALICE", "changed").unwrap();
    let reopened = FileDirectory::open(&path).unwrap();
    let alice = reopened.lookup("example.com", "alice").unwrap();
    assert_ne!(alice.credentials, old);
    assert_eq!(
        alice.credentials,
        StoredCredentials::derive(
            "Alice",
            "example.com",
            "example.com",
            Some("CORP"),
            "changed"
        )
    );

    dir.remove("example.com", "bob").unwrap();
    assert!(matches!(
        dir.remove("example.com", "bob"),
        Err(DirectoryError::NotFound { .. })
    ));
    assert!(matches!(
        dir.set_password("example.com", "bob", "x"),
        Err(DirectoryError::NotFound { .. })
    ));
    let names: Vec<_> = FileDirectory::open(&path)
        .unwrap()
        .principals()
        .iter()
        .map(|e| e.address())
        .collect();
    assert_eq!(names, ["Alice@example.com"]);

    // No temporary file left behind.
    let files: Vec<_> = fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["dir.toml"]);
}

#[cfg(unix)]
#[test]
fn new_file_is_private_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let d = TestDir::new("perm");
    let path = d.file("dir.toml");
    let dir = FileDirectory::create(&path).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    dir.add(NewPrincipal::new("a", "x.com"), "pw").unwrap();
    assert_eq!(mode(&path), 0o640);
}

#[test]
fn failed_edit_changes_nothing() {
    let d = TestDir::new("failed");
    let path = d.file("dir.toml");
    let dir = FileDirectory::create(&path).unwrap();
    dir.add(NewPrincipal::new("a", "x.com"), "pw").unwrap();
    // Make the save fail: the directory the file lives in disappears.
    fs::remove_dir_all(&d.0).unwrap();
    assert!(matches!(
        dir.add(NewPrincipal::new("b", "x.com"), "pw"),
        Err(DirectoryError::Io { .. })
    ));
    assert!(dir.lookup("x.com", "b").is_none());
    assert!(dir.lookup("x.com", "a").is_some());
}

#[test]
fn demo_file() {
    let d = TestDir::new("demo");
    let path = d.file("users.toml");
    let dir = FileDirectory::open_or_create_demo(&path).unwrap();
    assert_eq!(dir.list().len(), 3);
    dir.remove("localhost", "carol").unwrap();
    // Opening again keeps the edited file.
    let dir = FileDirectory::open_or_create_demo(&path).unwrap();
    assert_eq!(dir.list().len(), 2);
    assert!(matches!(
        FileDirectory::create(&path),
        Err(DirectoryError::Io { .. })
    ));
}

#[test]
fn reload_sees_other_writers() {
    let d = TestDir::new("reload");
    let path = d.file("dir.toml");
    let server = FileDirectory::create(&path).unwrap();
    let cli = FileDirectory::open(&path).unwrap();
    cli.add(NewPrincipal::new("a", "x.com"), "pw").unwrap();
    assert!(server.lookup("x.com", "a").is_none());
    server.reload().unwrap();
    assert!(server.lookup("x.com", "a").is_some());
    // A broken file does not replace the good copy.
    fs::write(&path, "not toml [").unwrap();
    assert!(server.reload().is_err());
    assert!(server.lookup("x.com", "a").is_some());
}

#[test]
fn syntax_errors_have_lines() {
    let e = parse_str("version = 1\n\n[[principal]]\nalias = \n").unwrap_err();
    assert!(matches!(e, DirectoryError::Syntax { .. }), "{e}");
    assert_eq!(err_line(&e), Some(4));
    assert!(e.to_string().starts_with("dir.toml:4: "), "{e}");

    let e = parse_str("[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\npassword = \"plain\"\n")
        .unwrap_err();
    assert!(matches!(e, DirectoryError::Syntax { .. }), "{e}");
    assert!(e.to_string().contains("password"), "{e}");

    let e = parse_str("version = 2\n").unwrap_err();
    assert!(
        e.to_string().contains("unsupported format version 2"),
        "{e}"
    );
    assert_eq!(err_line(&e), Some(1));
}

#[test]
fn field_errors_name_line_and_field() {
    let cases: [(&str, &str, usize); 8] = [
        (
            "[[principal]]\nalias = \"a b\"\ndomain = \"x.com\"\n",
            "alias",
            2,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x..com\"\n",
            "domain",
            3,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\nhome_server = \"h:0x\"\n",
            "home_server",
            4,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\n",
            "credentials",
            2,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\n[[principal.credentials]]\nusername = \"b\"\nmd5 = \"00000000000000000000000000000000\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
            "username",
            5,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\n[[principal.credentials]]\nusername = \"a\"\nmd5 = \"0000\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
            "md5",
            6,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\n[[principal.credentials]]\nusername = \"a\"\nmd5 = \"00000000000000000000000000000000\"\nsha256 = \"zz\"\n",
            "sha256",
            7,
        ),
        (
            "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\n[[principal.credentials]]\nusername = \"a\"\nmd5 = \"00000000000000000000000000000000\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n[[principal.credentials]]\nusername = \"a\"\nmd5 = \"00000000000000000000000000000000\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
            "username",
            9,
        ),
    ];
    for (text, want_field, want_line) in cases {
        match parse_str(text) {
            Err(DirectoryError::InvalidField { at, field, .. }) => {
                assert_eq!((field, at.line), (want_field, Some(want_line)), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn duplicates_in_file() {
    let text = "[[principal]]\nalias = \"a\"\ndomain = \"x.com\"\nhome_server = \"h\"\n\n[[principal]]\nalias = \"A\"\ndomain = \"X.com\"\nhome_server = \"h\"\n";
    let e = parse_str(text).unwrap_err();
    assert!(matches!(e, DirectoryError::Duplicate { .. }), "{e}");
    assert_eq!(err_line(&e), Some(6));
}

#[test]
fn limits() {
    let d = TestDir::new("limits");
    let path = d.file("dir.toml");
    fs::write(&path, EXAMPLE).unwrap();
    let limits = DirectoryLimits {
        max_file_bytes: 100,
        ..DirectoryLimits::default()
    };
    assert!(matches!(
        FileDirectory::open_with_limits(&path, limits),
        Err(DirectoryError::FileTooLarge { max: 100, .. })
    ));
    let limits = DirectoryLimits {
        max_principals: 1,
        ..DirectoryLimits::default()
    };
    let e = FileDirectory::open_with_limits(&path, limits).unwrap_err();
    assert!(
        matches!(e, DirectoryError::TooManyPrincipals { max: 1, .. }),
        "{e}"
    );

    let limits = DirectoryLimits {
        max_principals: 2,
        ..DirectoryLimits::default()
    };
    let dir = FileDirectory::open_with_limits(&path, limits).unwrap();
    assert!(matches!(
        dir.add(NewPrincipal::new("c", "x.com"), "pw"),
        Err(DirectoryError::TooManyPrincipals { max: 2, .. })
    ));

    fs::write(&path, b"alias = \"\xff\"").unwrap();
    assert!(matches!(
        FileDirectory::open(&path),
        Err(DirectoryError::NotUtf8 { .. })
    ));
    assert!(matches!(
        FileDirectory::open(d.file("missing.toml")),
        Err(DirectoryError::Io { op: "open", .. })
    ));
}

#[test]
fn empty_file_is_an_empty_directory() {
    assert_eq!(parse_str("").unwrap().len(), 0);
    assert_eq!(parse_str(HEADER).unwrap().len(), 0);
}

#[test]
fn line_columns() {
    assert_eq!(line_col("ab\ncd", 0), (1, 1));
    assert_eq!(line_col("ab\ncd", 4), (2, 2));
    assert_eq!(line_col("ab", 99), (1, 3));
}

#[test]
fn bulk_create_writes_once_and_enforces_limits() {
    let d = TestDir::new("bulk");
    let entries = |n: usize| {
        (0..n).map(|i| {
            PrincipalEntry::from_password(NewPrincipal::new(format!("u{i}"), "example.com"), "pw")
                .unwrap()
        })
    };
    let mut limits = DirectoryLimits {
        max_principals: 5,
        ..DirectoryLimits::default()
    };
    let path = d.file("bulk.toml");
    let dir = FileDirectory::create_with_entries(&path, entries(5), limits).unwrap();
    assert_eq!(dir.list().len(), 5);
    assert_eq!(dir.limits(), limits);
    // The file reads back with the same limits, and not with tighter ones.
    assert_eq!(
        FileDirectory::open_with_limits(&path, limits)
            .unwrap()
            .list()
            .len(),
        5
    );
    limits.max_principals = 4;
    assert!(matches!(
        FileDirectory::open_with_limits(&path, limits),
        Err(DirectoryError::TooManyPrincipals { max: 4, .. })
    ));
    // Too many entries, or too many bytes, and nothing is written.
    let other = d.file("other.toml");
    assert!(matches!(
        FileDirectory::create_with_entries(&other, entries(5), limits),
        Err(DirectoryError::TooManyPrincipals { max: 4, .. })
    ));
    limits.max_principals = 100;
    limits.max_file_bytes = 100;
    assert!(matches!(
        FileDirectory::create_with_entries(&other, entries(2), limits),
        Err(DirectoryError::FileTooLarge { max: 100, .. })
    ));
    assert!(!other.exists());
    // An existing file is never overwritten.
    assert!(
        FileDirectory::create_with_entries(&path, entries(1), DirectoryLimits::default()).is_err()
    );
}
