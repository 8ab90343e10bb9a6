//! Backups a user can trust: `flintdb backup` takes an online, consistent
//! snapshot of every object as Parquet files plus a manifest (the schema
//! script, row counts, SHA-256 of every file), to a directory or an
//! S3-compatible bucket, encrypted under the KEK when asked or when the
//! server encrypts its data; `flintdb restore` checks and loads it into a
//! running server; `flintdb backup verify` checks it without one. These
//! are clients of the server: they speak the PostgreSQL protocol.
//!
//! connect.rs reaches the server, location.rs stores files, seal.rs
//! encrypts them, manifest.rs describes them, take.rs writes a backup,
//! fetch.rs reads files back, restore.rs loads them, verify.rs checks
//! them, progress.rs shows how far along they are, cli.rs is the command
//! line.

pub mod cli;
pub mod connect;
pub mod fetch;
pub mod load;
pub mod location;
pub mod manifest;
pub mod progress;
pub mod restore;
pub mod seal;
pub mod take;
pub mod verify;
