//! The Hashrate Chain runtime with `spec_version` one higher; see `Cargo.toml`.
#![no_std]
pub use hashrate_runtime::*;
