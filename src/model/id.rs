//! Typed identifiers of the harmonised model.
//!
//! Ids keep the source's own value (a city's unit code, a YKR/INSPIRE grid cell id, a
//! statistical area code) as text, so every exported table joins back to the city's data.
//! Ids are unique within one city; across cities the pair (municipality code, id) is unique.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as it appears in the source data.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

text_id!(
    /// Id of a service location (toimipaikka / toimipiste).
    UnitId
);
text_id!(
    /// Id of a premises record (tila).
    PremisesId
);
text_id!(
    /// Id of a demand area: a 250 m grid cell id or a statistical area code (osa-alue).
    DemandAreaId
);
text_id!(
    /// Code of a district at some level of the city's hierarchy (peruspiiri, osa-alue, …).
    DistrictCode
);
