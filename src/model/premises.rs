//! Premises (tila) in a building (rakennus) that house service locations.

use super::codes::Tenure;
use super::id::PremisesId;
use super::origin::Origin;
use serde::{Deserialize, Serialize};

/// Premises (tila): the space a unit uses, with its floor area and costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Premises {
    /// Official municipality code of the city.
    pub city: String,
    /// The city's own premises id.
    pub id: PremisesId,
    /// Permanent building id (pysyvä rakennustunnus, VTJ-PRT: 9 digits and a check character).
    pub building_id: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Floor area in square metres (huoneistoala), > 0.
    pub floor_area_m2: Option<f64>,
    /// Condition class 1 (poor) … 5 (excellent) (kuntoluokka).
    pub condition_class: Option<u8>,
    /// Annual cost of the premises in euros (rent or capital and upkeep), ≥ 0.
    pub annual_cost_eur: Option<f64>,
    /// Repair debt in euros (korjausvelka), ≥ 0.
    pub repair_debt_eur: Option<f64>,
    /// Owned or leased.
    pub tenure: Option<Tenure>,
    /// Last year of the lease, for leased premises.
    pub lease_end_year: Option<u16>,
    /// Source file and row, for messages.
    #[serde(skip)]
    #[schemars(skip)]
    pub origin: Option<Origin>,
}

/// Check characters of the VTJ-PRT building id, indexed by the 9-digit number modulo 31.
const PRT_CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// Whether `id` is a well-formed permanent building id (VTJ-PRT) with a valid check character.
pub fn is_valid_building_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 10 || !bytes[..9].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let number: u64 = id[..9].parse().unwrap_or(u64::MAX);
    number != u64::MAX && PRT_CHECK[(number % 31) as usize] == bytes[9].to_ascii_uppercase()
}

/// The VTJ-PRT building id for a 9-digit building number (used by the sample generator).
pub fn building_id_with_check(number: u32) -> String {
    let number = number % 1_000_000_000;
    format!("{number:09}{}", PRT_CHECK[(number % 31) as usize] as char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_id_check_character() {
        // 100000000 mod 31 = 14 -> 'E' (index 14 of the check table).
        assert_eq!(building_id_with_check(100_000_000), "100000000E");
        assert!(is_valid_building_id("100000000E"));
        assert!(!is_valid_building_id("100000000F"));
        assert!(!is_valid_building_id("10000000W"));
        assert!(!is_valid_building_id("1000000a0W"));
    }
}
