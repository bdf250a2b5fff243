//! Planning computations over the harmonised model; pure functions, no I/O.
//!
//! **Invariant:** nothing in `analysis` reads or writes files or prints.

pub mod accessibility;
pub mod allocation;
pub mod demand;
pub mod disaggregation;
pub mod equity;
pub mod kpi;
pub mod locate;
pub mod service_area;
pub mod simplex;
pub mod ssp;
pub mod times;
pub mod transport;
