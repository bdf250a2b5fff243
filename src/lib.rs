//! pave (from *palveluverkko*, "service network") plans service and facility networks:
//! where daycares, schools, libraries and health stations are, whom they serve and how
//! scenarios change that.
//!
//! Data flows one way: [`model`] (harmonised types) ← [`io`] (readers, writers, CRS, city
//! profiles) ← [`network`] (graphs, snapping) ← [`routing`] (shortest-path kernels) ←
//! [`analysis`] (pure computations) ← [`scenario`] (apply, score, outputs, compare) ←
//! [`engine`] (the API every front end uses) ← [`cli`].
//!
//! # Glossary (English — Finnish)
//! - service — palvelu; operating unit — toimintayksikkö; service location — toimipaikka /
//!   toimipiste ([`model::Unit`]); premises — tila ([`model::Premises`]); building —
//!   rakennus; daycare — päiväkoti; early childhood education — varhaiskasvatus
//! - demand area — 250 m grid cell (ruutu) or statistical area (osa-alue)
//!   ([`model::DemandArea`]); district — peruspiiri / suurpiiri ([`model::District`])
//! - population forecast — väestöennuste ([`model::PopulationKind::Forecast`])
//! - nearest-daycare principle — lähipäiväkotiperiaate
//! - city profile — kaupunkiprofiili ([`model::CityProfile`])

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod io;
pub mod model;
pub mod network;
pub mod progress;
pub mod routing;
pub mod sample;
pub mod scenario;
pub mod server;
