//! The harmonised planning model shared by Helsinki, Turku and Kuopio.
//!
//! Concepts follow the cities' joint service-network work: a service (palvelu) is provided
//! by an operating unit (toimintayksikkö) at service locations (toimipaikka, [`Unit`])
//! housed in premises (tila, [`Premises`]) in buildings (rakennus). Residents live in demand
//! areas ([`DemandArea`]: 250 m grid cells or statistical areas, osa-alue) grouped into
//! districts ([`District`]: peruspiiri or the city's equivalent), counted by
//! [`PopulationTable`] (observed or forecast, ennuste).
//!
//! **Invariants** of a [`Dataset`] that passed [`validate::validate`] without errors: ids are
//! unique per entity, every reference resolves, every coordinate is finite EPSG:3067 inside
//! Finland, capacities are > 0, population years lie in the profile's ranges.
//! The model does no I/O and no coordinate transformation.

pub mod codes;
pub mod dataset;
pub mod demand;
pub mod district;
pub mod id;
pub mod locate;
pub mod network;
pub mod origin;
pub mod population;
pub mod premises;
pub mod problem;
pub mod profile;
pub mod scenario;
pub mod schema;
pub mod service;
pub mod unit;
pub mod validate;

pub use codes::{DemandAreaKind, Language, LanguageGroup, LanguageRules, Operator, PopulationKind, Status, Tenure};
pub use dataset::{Dataset, Model, SourceFile};
pub use demand::DemandArea;
pub use district::District;
pub use id::{DemandAreaId, DistrictCode, PremisesId, UnitId};
pub use origin::{Location, Origin};
pub use population::{AreaLevel, AreaRef, PopulationRecord, PopulationRow, PopulationTable};
pub use premises::Premises;
pub use problem::{Problem, ProblemKind, Problems, Severity};
pub use profile::CityProfile;
pub use service::ServiceType;
pub use unit::{Capacity, Unit};
