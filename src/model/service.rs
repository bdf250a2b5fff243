//! Service types (palvelu) and the catalogue shared by the three cities.

use serde::{Deserialize, Serialize};

/// A harmonised service type (palvelu), e.g. early childhood education (varhaiskasvatus).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceType {
    /// Stable harmonised code, e.g. `early_childhood_education`.
    pub code: String,
    /// Name in Finnish.
    pub name_fi: String,
    /// Name in Swedish.
    pub name_sv: String,
    /// Name in English.
    pub name_en: String,
    /// Youngest age served in whole years (inclusive).
    pub min_age: u8,
    /// Oldest age served in whole years (inclusive); `None` means no upper limit.
    pub max_age: Option<u8>,
    /// Whether units of this type are planned by places (capacity); libraries are not.
    pub has_places: bool,
}

impl ServiceType {
    /// Whether a person of `age` whole years is in the served age range.
    pub fn serves_age(&self, age: u8) -> bool {
        age >= self.min_age && self.max_age.is_none_or(|max| age <= max)
    }
}

fn service(code: &str, fi: &str, sv: &str, en: &str, ages: (u8, Option<u8>), has_places: bool) -> ServiceType {
    ServiceType {
        code: code.to_owned(),
        name_fi: fi.to_owned(),
        name_sv: sv.to_owned(),
        name_en: en.to_owned(),
        min_age: ages.0,
        max_age: ages.1,
        has_places,
    }
}

/// The harmonised service-type catalogue, in a fixed order.
///
/// Ages follow the Finnish system: early childhood education (varhaiskasvatus) is planned
/// for ages 1–6 (children under one are mostly at home on parental leave), pre-primary
/// education (esiopetus) is the year a child turns six, basic education (perusopetus)
/// grades 1–6 are ages 7–12 and grades 7–9 ages 13–15.
pub fn catalogue() -> Vec<ServiceType> {
    vec![
        service(
            "early_childhood_education",
            "Varhaiskasvatus (päiväkoti)",
            "Småbarnspedagogik (daghem)",
            "Early childhood education (daycare)",
            (1, Some(6)),
            true,
        ),
        service(
            "pre_primary_education",
            "Esiopetus",
            "Förskoleundervisning",
            "Pre-primary education",
            (6, Some(6)),
            true,
        ),
        service(
            "basic_education",
            "Perusopetus (peruskoulu)",
            "Grundläggande utbildning (grundskola)",
            "Basic education (comprehensive school)",
            (7, Some(15)),
            true,
        ),
        service(
            "primary_school",
            "Perusopetus vuosiluokat 1–6 (alakoulu)",
            "Grundläggande utbildning årskurs 1–6 (lågstadium)",
            "Primary school, grades 1–6",
            (7, Some(12)),
            true,
        ),
        service(
            "lower_secondary_school",
            "Perusopetus vuosiluokat 7–9 (yläkoulu)",
            "Grundläggande utbildning årskurs 7–9 (högstadium)",
            "Lower secondary school, grades 7–9",
            (13, Some(15)),
            true,
        ),
        service("upper_secondary_school", "Lukio", "Gymnasium", "General upper secondary school", (16, Some(18)), true),
        service("library", "Kirjasto", "Bibliotek", "Library", (0, None), false),
        service("health_station", "Terveysasema", "Hälsostation", "Health station", (0, None), false),
    ]
}

/// Looks a harmonised service type up by its code.
pub fn lookup(code: &str) -> Option<ServiceType> {
    catalogue().into_iter().find(|s| s.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_ages_ordered() {
        let cat = catalogue();
        let mut codes: Vec<_> = cat.iter().map(|s| s.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), cat.len());
        for s in &cat {
            assert!(s.max_age.is_none_or(|m| m >= s.min_age), "{}", s.code);
        }
        let ecec = lookup("early_childhood_education").unwrap();
        assert!(ecec.serves_age(1) && ecec.serves_age(6) && !ecec.serves_age(7));
        assert!(lookup("library").unwrap().serves_age(100));
    }
}
