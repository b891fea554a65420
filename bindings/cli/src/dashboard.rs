//! `medvault dashboard`: the admin dashboard, as the operator sees it.

use chrono::NaiveDate;
use medvault::vault::BlockingVault;
use medvault_hospital::{BlockingHospital, Dashboard};
use medvault_identity::BlockingIdentity;
use serde_json::{Value, json};

/// Prints the dashboard from `from` to `to`, as text or JSON.
pub fn run(
    vault: &BlockingVault,
    from: NaiveDate,
    to: NaiveDate,
    as_json: bool,
) -> Result<(), String> {
    let hospital = BlockingHospital::new(&BlockingIdentity::new(vault.clone()));
    let dashboard = hospital
        .operator_dashboard(from, to)
        .map_err(|error| error.to_string())?;
    if as_json {
        println!("{}", to_json(&dashboard));
    } else {
        print!("{}", to_text(&dashboard));
    }
    Ok(())
}

/// The dashboard as JSON: ids as hex, days as YYYY-MM-DD.
pub fn to_json(dashboard: &Dashboard) -> Value {
    json!({
        "from": dashboard.from.to_string(),
        "to": dashboard.to.to_string(),
        "top_physicians": dashboard.top_physicians.iter().map(|physician| json!({
            "physician": physician.physician.to_string(),
            "username": physician.username,
            "name": physician.name,
            "distinct_patients": physician.patients.len(),
            "patients": physician.patients.iter().map(|patient| json!({
                "account": patient.account.to_string(),
                "name": patient.name,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "daily": dashboard.daily.iter().map(|day| json!({
            "day": day.day.to_string(),
            "patients": day.patients,
        })).collect::<Vec<_>>(),
    })
}

/// The dashboard as lines for people.
pub fn to_text(dashboard: &Dashboard) -> String {
    let mut out = format!(
        "dashboard {} to {}\ntop physicians by distinct patients:\n",
        dashboard.from, dashboard.to
    );
    if dashboard.top_physicians.is_empty() {
        out.push_str("  (no appointments)\n");
    }
    for (rank, physician) in dashboard.top_physicians.iter().enumerate() {
        let patients: Vec<String> = physician
            .patients
            .iter()
            .map(|patient| {
                patient
                    .name
                    .clone()
                    .unwrap_or_else(|| patient.account.to_string())
            })
            .collect();
        let count = physician.patients.len();
        out.push_str(&format!(
            "  {}. {} ({}): {count} {}: {}\n",
            rank + 1,
            physician.username,
            physician.name,
            if count == 1 { "patient" } else { "patients" },
            patients.join(", ")
        ));
    }
    out.push_str("distinct patients per day:\n");
    for day in &dashboard.daily {
        out.push_str(&format!("  {}  {}\n", day.day, day.patients));
    }
    out
}
