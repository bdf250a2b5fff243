//! Test support: a tiny valid city written to a temp folder, and a runner for the binary.

#![allow(dead_code)]

pub mod web;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The files of a small city that validates cleanly; tests mutate one thing at a time.
pub struct Fixture {
    pub files: BTreeMap<String, Vec<u8>>,
}

pub const PROFILE: &str = r#"city = "Testila"
municipality_code = "999"
crs = 3067

[years]
observed = [2024, 2024]
forecast = [2025, 2030]

[districts]
levels = ["osa-alue"]
path = "districts.csv"
columns = { code = "code", level = "level", name_fi = "name_fi" }

[[facilities]]
path = "facilities.csv"
[facilities.columns]
id = "id"
name_fi = "name_fi"
service_type = "service_type"
x = "x"
y = "y"
capacity = "capacity"
premises_id = "premises_id"
languages = "languages"
districts = { "osa-alue" = "district" }

[[premises]]
path = "premises.csv"
columns = { id = "id", floor_area_m2 = "floor_area_m2" }

[[demand_areas]]
path = "areas.csv"
kind = "grid_250m"
geometry = "inspire_id"
columns = { id = "id", districts = { "osa-alue" = "district" } }

[[population]]
path = "population.csv"
level = "demand_area"
kind = "observed"
columns = { area = "area", year = "year", age = "age", count = "count" }

[[population]]
path = "forecast.csv"
level = "osa-alue"
kind = "forecast"
columns = { area = "district", year = "year", age = "age", count = "count" }
"#;

impl Fixture {
    /// The clean city.
    pub fn new() -> Self {
        let mut files = BTreeMap::new();
        let mut put = |name: &str, text: &str| {
            files.insert(name.to_owned(), text.as_bytes().to_vec());
        };
        put("profile.toml", PROFILE);
        put("districts.csv", "code,level,name_fi\nA1,osa-alue,Keskusta\nA2,osa-alue,Laita\n");
        put(
            "facilities.csv",
            "id,name_fi,service_type,x,y,capacity,premises_id,languages,district\n\
             P1,Päiväkoti Koivu,early_childhood_education,385100,6672100,60,T1,fi,A1\n\
             P2,Päiväkoti Tammi,early_childhood_education,386100,6673100,40,T2,fi/sv,A2\n",
        );
        put("premises.csv", "id,floor_area_m2\nT1,540.5\nT2,380\n");
        put("areas.csv", "id,district\nCRS3067RES250mN6672000E385000,A1\nCRS3067RES250mN6673000E386000,A2\n");
        put(
            "population.csv",
            "area,year,age,count\nCRS3067RES250mN6672000E385000,2024,3,12\nCRS3067RES250mN6673000E386000,2024,3,7\n",
        );
        put("forecast.csv", "district,year,age,count\nA1,2025,3,11.5\nA2,2030,3,6.25\n");
        Fixture { files }
    }

    /// Replaces a file's content.
    pub fn set(mut self, name: &str, content: impl AsRef<[u8]>) -> Self {
        self.files.insert(name.to_owned(), content.as_ref().to_vec());
        self
    }

    /// Edits a text file with a function.
    pub fn edit(mut self, name: &str, f: impl FnOnce(&str) -> String) -> Self {
        let text = String::from_utf8(self.files[name].clone()).expect("fixture text");
        self.files.insert(name.to_owned(), f(&text).into_bytes());
        self
    }

    /// Writes the city into `dir` and returns the profile path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        for (name, content) in &self.files {
            std::fs::write(dir.join(name), content).expect("write fixture");
        }
        dir.join("profile.toml")
    }
}

/// Output of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `pave` with `args` in `dir`.
pub fn pave(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_pave")).args(args).current_dir(dir).output().expect("run pave");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
