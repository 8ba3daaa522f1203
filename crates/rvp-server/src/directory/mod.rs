//! The directory of principals: who exists, where they are hosted, and their password hashes.
