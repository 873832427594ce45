//! Contacts (相談・活動の記録): one conversation or visit.

use serde_json::Value;

use crate::ids::RecordId;
use crate::time::Date;

/// Where a referral stands: 紹介した → 連絡がついた → 支援開始 / つながらず.
pub const REFERRAL_STATES: &[&str] = &["referred", "contacted", "started", "not_connected"];

/// A referral points at a directory entry (a record id) or a built-in
/// national line (`national:<id>`).
pub fn check_window_ref(s: &str) -> Result<(), String> {
    if let Some(id) = s.strip_prefix("national:") {
        if !id.is_empty() && id.len() <= 40 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Ok(());
        }
        return Err("a national line id is letters, digits, - and _".into());
    }
    RecordId::parse(s).map(drop).map_err(|e| e.to_string())
}

/// `referrals`: `[{window, name, state, on}]`, at most 20.
pub fn check_referrals(value: &Value) -> Result<(), String> {
    let items = value.as_array().ok_or("expected a list of referrals")?;
    if items.len() > 20 {
        return Err("at most 20 referrals".into());
    }
    for (i, item) in items.iter().enumerate() {
        let obj = item.as_object().ok_or_else(|| format!("[{i}]: expected an object"))?;
        for key in obj.keys() {
            if !["window", "name", "state", "on"].contains(&key.as_str()) {
                return Err(format!("[{i}].{key}: unknown field"));
            }
        }
        let window = obj.get("window").and_then(Value::as_str).ok_or_else(|| format!("[{i}].window: required"))?;
        check_window_ref(window).map_err(|e| format!("[{i}].window: {e}"))?;
        let name = obj.get("name").and_then(Value::as_str).unwrap_or("");
        if name.chars().count() > 100 {
            return Err(format!("[{i}].name: at most 100 characters"));
        }
        let state = obj.get("state").and_then(Value::as_str).ok_or_else(|| format!("[{i}].state: required"))?;
        if !REFERRAL_STATES.contains(&state) {
            return Err(format!("[{i}].state: expected one of {}", REFERRAL_STATES.join(", ")));
        }
        if let Some(on) = obj.get("on").filter(|v| !v.is_null()) {
            Date::parse(on.as_str().unwrap_or("")).map_err(|e| format!("[{i}].on: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn referrals_are_checked_field_by_field() {
        let ok = json!([{"window": "national:yorisoi", "name": "よりそいホットライン", "state": "referred", "on": "2026-11-24"}]);
        assert_eq!(check_referrals(&ok), Ok(()));
        let bad_state = json!([{"window": "national:yorisoi", "state": "maybe"}]);
        assert!(check_referrals(&bad_state).unwrap_err().starts_with("[0].state"));
        let bad_window = json!([{"window": "x y", "state": "referred"}]);
        assert!(check_referrals(&bad_window).unwrap_err().starts_with("[0].window"));
        let extra = json!([{"window": "national:a", "state": "referred", "secret": 1}]);
        assert!(check_referrals(&extra).unwrap_err().contains("unknown field"));
    }
}
