//! Runtime-level tests of Hashrate Chain: the real `hashrate-runtime`, natively, in
//! `TestExternalities`, driven block by block through `Executive` by [`driver::Chain`].
//!
//! Faster than the end-to-end tests by orders of magnitude (no node, no wasm, no clock: a
//! block is a function call) and wider than the pallets' mock tests (every pallet of the
//! runtime, wired as the chain wires them, every hook run). Tests of behaviour that spans
//! pallets or many blocks belong here.

pub mod driver;

#[cfg(test)]
mod due;
#[cfg(test)]
mod lifecycle;
#[cfg(test)]
mod simulation;
#[cfg(test)]
mod upgrade;
#[cfg(test)]
mod weights;
#[cfg(test)]
mod year;
