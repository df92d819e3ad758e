//! The runtime's pallet configurations, one module per area.

pub mod assets;
pub mod bitcoin;
pub mod consensus;
pub mod facilities;
pub mod monetary;
pub mod oracle;
pub mod real_yield;
pub mod system;
pub mod tokens;
pub mod utility;
pub mod validators;
