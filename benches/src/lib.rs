//! Benchmarks of MedVault live in `benches/`; this library holds what they share.

pub mod synthea;
