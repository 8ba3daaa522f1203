//! Integration tests of rvp-server.
