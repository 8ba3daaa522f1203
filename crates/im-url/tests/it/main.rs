//! Integration tests of im-url.
