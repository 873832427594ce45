//! What is made from contacts on the device: monthly counts for the
//! group's report, and the 実施報告 of a hospital visit.

use crate::base::map::SortedMap;

use super::contact::{Contact, Mode};
use crate::base::taxonomy::Worry;

/// Monthly counts: `(month "YYYY-MM", key) → count`, by mode and by worry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthlyCounts {
    pub by_mode: SortedMap<(String, Mode), u32>,
    pub by_worry: SortedMap<(String, Worry), u32>,
    pub months: Vec<String>,
}

pub fn monthly_counts<'a>(contacts: impl IntoIterator<Item = &'a Contact>) -> MonthlyCounts {
    let mut out = MonthlyCounts::default();
    for c in contacts {
        let (Some(date), Some(mode)) = (c.date(), c.mode) else { continue };
        let month = date.month_key();
        *out.by_mode.get_or_default((month.clone(), mode)) += 1;
        for w in c.worries.iter() {
            *out.by_worry.get_or_default((month.clone(), *w)) += 1;
        }
        if !out.months.contains(&month) {
            out.months.push(month);
        }
    }
    crate::base::order::sort(&mut out.months);
    out
}

/// The 実施報告 of a hospital visit, in Japanese (it goes to the
/// secretariat); `None` for any other contact. Fields left empty are left
/// out, not printed as 「—」.
pub fn visit_report(c: &Contact) -> Option<String> {
    if !c.is_hospital_visit() {
        return None;
    }
    let mut out = String::from("入院者訪問支援 実施報告\n\n");
    let mut line = |label: &str, value: String| {
        if !value.trim().is_empty() {
            out.push_str(&format!("{label}：{value}\n"));
        }
    };
    line("訪問日時", c.at.map(|a| format!("{} {}", a.date.ja(), a.time)).unwrap_or_default());
    line("病院", c.hospital.to_string());
    line("訪問者（ペア）", c.partner.to_string());
    line("本人（ニックネーム）", c.person.to_string());
    line("訪問希望の確認方法", c.wish_method.map(|m| m.ja().to_owned()).unwrap_or_default());
    line("希望を確認した日", c.wish_date.map(|d| d.ja()).unwrap_or_default());
    line("かかった時間", c.duration_min.0.map(|d| format!("{d}分")).unwrap_or_default());
    line("話題になったこと", c.worries.iter().map(|w| w.ja()).collect::<Vec<_>>().join("・"));
    line("したこと", c.actions.iter().map(|a| a.ja()).collect::<Vec<_>>().join("・"));
    line("次回訪問の希望", c.next_visit.map(|n| n.ja().to_owned()).unwrap_or_default());
    if !c.note.trim().is_empty() {
        out.push_str("\n本人の話（本人の言葉で）：\n");
        out.push_str(&c.note);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::{Date, JstDateTime};
    use crate::contacts::contact::{Action, NextVisit, WishMethod};
    use crate::schema::field::{Set, Text};

    fn at(s: &str, mode: Mode, worries: &[Worry]) -> Contact {
        Contact { mode: Some(mode), worries: Set(worries.to_vec()), ..Contact::new(JstDateTime::parse(s).unwrap()) }
    }

    #[test]
    fn monthly_counts_by_mode_and_worry() {
        let contacts = [
            at("2026-10-01T10:00", Mode::Phone, &[Worry::Housing]),
            at("2026-10-20T10:00", Mode::Phone, &[Worry::Housing, Worry::Money]),
            at("2026-11-02T10:00", Mode::Visit, &[]),
        ];
        let counts = monthly_counts(&contacts);
        assert_eq!(counts.months, vec!["2026-10".to_owned(), "2026-11".to_owned()]);
        assert_eq!(counts.by_mode[&("2026-10".into(), Mode::Phone)], 2);
        assert_eq!(counts.by_worry[&("2026-10".into(), Worry::Housing)], 2);
        assert_eq!(counts.by_mode[&("2026-11".into(), Mode::Visit)], 1);
    }

    #[test]
    fn the_visit_report_leaves_out_what_is_empty_and_says_whether_to_come_again() {
        assert_eq!(visit_report(&at("2026-11-24T10:00", Mode::Phone, &[])), None, "only for hospital visits");
        let mut c = at("2026-11-24T10:00", Mode::Hospital, &[Worry::Inpatient]);
        c.partner = Text::new("Bさん");
        c.wish_method = Some(WishMethod::Letter);
        c.wish_date = Date::parse("2026-11-20").ok();
        c.actions = Set(vec![Action::Listening, Action::LifeTalk]);
        c.next_visit = Some(NextVisit::Wanted);
        let report = visit_report(&c).unwrap();
        assert!(report.contains("訪問日時：2026年11月24日 10:00"), "{report}");
        assert!(report.contains("したこと：傾聴・生活相談"));
        assert!(report.contains("次回訪問の希望：希望あり"));
        assert!(!report.contains('—'), "{report}");
        assert!(!report.contains("病院："), "an empty hospital is left out");
        assert!(!report.contains("本人の話"), "no notes, no heading");
    }
}
