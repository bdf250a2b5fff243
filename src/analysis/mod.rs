//! Planning computations over the harmonised model; pure functions, no I/O.
//!
//! **Invariant:** nothing in `analysis` reads or writes files or prints.

pub mod allocation;
pub mod disaggregation;
pub mod service_area;
