//! Synthea-like CSV files, made from row numbers: patients (`patients.csv`) and physicians
//! (`providers.csv`), with ids never repeated and names of letters only (import strips the
//! digits Synthea appends to names).

use std::io::{self, Write};

/// The header of the patients files written here.
const PATIENTS_HEADER: &str = "Id,BIRTHDATE,FIRST,LAST,GENDER,PHONE";

/// Writes a `patients.csv` of patients `first..first + n` (ids `pat-00000000` on) to `out`,
/// one row at a time.
pub fn write_patients(out: &mut impl Write, first: usize, n: usize) -> io::Result<()> {
    writeln!(out, "{PATIENTS_HEADER}")?;
    for i in first..first + n {
        writeln!(
            out,
            "pat-{i:08},{}-0{}-1{},{},{},{},+4144668{:04}",
            1940 + i % 70,
            1 + i % 9,
            i % 10,
            letters(i),
            letters(i / 7).to_uppercase(),
            ["M", "F"][i % 2],
            i % 10_000
        )?;
    }
    Ok(())
}

/// [`write_patients`] into memory.
pub fn patients_csv(first: usize, n: usize) -> Vec<u8> {
    let mut csv = Vec::new();
    // Writing to a vector cannot fail.
    let _ = write_patients(&mut csv, first, n);
    csv
}

/// A `providers.csv` of `n` physicians (ids `doc-000` on) in `specialties` specialties
/// (`Specialty 0` on), in turn.
pub fn physicians_csv(n: usize, specialties: usize) -> Vec<u8> {
    let mut csv = String::from("Id,NAME,SPECIALITY\n");
    for i in 0..n {
        csv.push_str(&format!(
            "doc-{i:03},{} {},Specialty {}\n",
            letters(i),
            letters(i + 1000),
            i % specialties.max(1)
        ));
    }
    csv.into_bytes()
}

/// A name made of letters only, different for every `n`: `N` and `n`'s digits in base 26.
pub fn letters(mut n: usize) -> String {
    let mut name = String::from("N");
    loop {
        name.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return name;
        }
    }
}
