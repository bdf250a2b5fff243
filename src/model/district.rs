//! Districts: the city's own area hierarchy (suurpiiri → peruspiiri → osa-alue, or equivalent).

use super::id::DistrictCode;
use super::origin::Origin;
use serde::{Deserialize, Serialize};

/// One district at one level of a city's hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct District {
    /// Official municipality code of the city.
    pub city: String,
    /// Level name as the city uses it, e.g. `peruspiiri`.
    pub level: String,
    /// The city's code of the district.
    pub code: DistrictCode,
    /// Name in Finnish.
    pub name_fi: String,
    /// Name in Swedish, where the city has one.
    pub name_sv: Option<String>,
    /// Code of the enclosing district one level up, if any.
    pub parent: Option<DistrictCode>,
    /// Source file and row, for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub origin: Option<Origin>,
}
