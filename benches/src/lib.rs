//! Benchmarks of MedVault live in `benches/`; this library is empty.
