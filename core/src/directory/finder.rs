//! The finder: for the picked worries and area, the windows that take
//! them, nearest level first, each with why it fits and whether it is open
//! now — and, for a crisis, what can be reached now first.

use super::area::AreaCode;
use super::catalogue;
use super::hours::OpenNow;
use super::national::{self, NationalLine};
use super::window::Window;
use crate::base::taxonomy::{Level, WindowType, Worry};
use crate::base::time::JstDateTime;
use crate::schema::{Doc, Label};

/// What the person asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub worries: Vec<Worry>,
    pub area: Option<AreaCode>,
    /// Only windows reachable without a voice call (FAX, email, SNS): the
    /// 合理的配慮 for people who cannot phone.
    pub without_voice: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Hit<'a> {
    Entry(&'a Doc<Window>),
    National(&'static NationalLine),
}

/// Why a result fits: for which worry (none for the lines shown always).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Why {
    pub worry: Option<Worry>,
    pub text: Label,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Found<'a> {
    pub hit: Hit<'a>,
    pub level: Level,
    pub why: Vec<Why>,
    pub open: OpenNow,
    /// Position of its kind in the worry's routes (lower is nearer).
    rank: usize,
}

impl Found<'_> {
    pub fn name(&self) -> &str {
        match self.hit {
            Hit::Entry(e) => &e.data.name,
            Hit::National(l) => l.name,
        }
    }

    pub fn kind(&self) -> WindowType {
        match self.hit {
            Hit::Entry(e) => e.data.kind.unwrap_or(WindowType::NationalLine),
            Hit::National(_) => WindowType::NationalLine,
        }
    }

    /// The emergency number or the psychiatric emergency centre: first of
    /// all in a crisis.
    fn is_emergency(&self) -> bool {
        matches!(self.hit, Hit::National(l) if l.id == EMERGENCY) || self.kind() == WindowType::PsychEmergency
    }

    fn is_emergency_number(&self) -> bool {
        matches!(self.hit, Hit::National(l) if l.id == EMERGENCY)
    }
}

/// 119: kept even when only windows without a voice call are asked for (a
/// life in danger; 119 also takes text through Net119 where it is set up).
const EMERGENCY: &str = "emergency-119";

/// A kind of window the worries need near the area that the group's
/// directory does not have yet (「まだ登録されていません」).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    pub kind: WindowType,
    pub worry: Worry,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Results<'a> {
    pub found: Vec<Found<'a>>,
    pub missing: Vec<Missing>,
    /// A crisis worry is picked: the results start with what can be
    /// reached now.
    pub crisis: bool,
}

/// The windows for the query, from the group's `entries` and the built-in
/// national lines (as the group corrected or hid them).
pub fn find<'a>(query: &Query, entries: &'a [Doc<Window>], now: JstDateTime) -> Results<'a> {
    let mut found: Vec<Found<'a>> = Vec::new();
    let overrides = |id: &str| entries.iter().find(|e| e.data.overrides.as_str() == id);
    for e in entries.iter().filter(|e| !e.data.retired && e.data.overrides.is_empty()) {
        let Some(kind) = e.data.kind else { continue };
        let level = match query.area {
            Some(a) => match e.data.serves(a) {
                Some(l) => l,
                None => continue,
            },
            None => kind.level(),
        };
        let mut why = Vec::new();
        let mut rank = usize::MAX;
        for &w in &query.worries {
            if let Some((i, route)) = catalogue::routes(w).iter().enumerate().find(|(_, r)| r.window == kind) {
                why.push(Why { worry: Some(w), text: route.why });
                rank = rank.min(i);
            }
        }
        if !why.is_empty() && (!query.without_voice || e.data.without_voice()) {
            found.push(Found { hit: Hit::Entry(e), level, why, open: e.data.schedule().open_now(now), rank });
        }
    }
    let national_hit = |id: &str, why: Why, rank: usize, found: &mut Vec<Found<'a>>| {
        let Some(line) = national::line(id) else { return };
        if let Some(f) = found.iter_mut().find(|f| f.level == Level::National && national_id(f, entries) == Some(line.id)) {
            if why.worry.is_some() && !f.why.iter().any(|w| w.worry == why.worry) {
                f.why.push(why);
            }
            return;
        }
        let hit = match overrides(line.id) {
            Some(e) if e.data.retired => return,
            Some(e) => Hit::Entry(e),
            None => Hit::National(line),
        };
        let (reachable, open) = match hit {
            Hit::Entry(e) => (e.data.without_voice(), e.data.schedule().open_now(now)),
            Hit::National(l) => (l.without_voice(), l.schedule().open_now(now)),
        };
        if query.without_voice && !reachable && line.id != EMERGENCY {
            return;
        }
        found.push(Found { hit, level: Level::National, why: vec![why], open, rank });
    };
    for id in catalogue::ALWAYS {
        national_hit(id, Why { worry: None, text: catalogue::ALWAYS_WHY }, 0, &mut found);
    }
    for &w in &query.worries {
        let route = catalogue::routes(w).iter().find(|r| r.window == WindowType::NationalLine);
        for (i, id) in catalogue::national_lines(w).iter().enumerate() {
            let text = route.map_or(Label::new("全国の相談電話です。", "A national line."), |r| r.why);
            national_hit(id, Why { worry: Some(w), text }, i + 1, &mut found);
        }
    }
    let crisis = query.worries.iter().any(|w| w.is_crisis());
    if crisis {
        // What can be reached now first: 119, the psychiatric emergency
        // centre, then whatever is open, then the rest.
        let tier = |f: &Found| match () {
            _ if f.is_emergency_number() => 0,
            _ if f.is_emergency() => 1,
            _ if f.open.is_open() => 2,
            _ => 3,
        };
        crate::base::order::sort_by(&mut found, |a, b| (tier(a), a.level, a.rank, a.name()).cmp(&(tier(b), b.level, b.rank, b.name())));
    } else {
        crate::base::order::sort_by(&mut found, |a, b| (a.level, a.rank, a.name()).cmp(&(b.level, b.rank, b.name())));
    }
    let mut missing: Vec<Missing> = Vec::new();
    if query.area.is_some() {
        for &w in &query.worries {
            for route in catalogue::routes(w) {
                let kind = route.window;
                if kind == WindowType::NationalLine || missing.iter().any(|m| m.kind == kind) {
                    continue;
                }
                // Counted against everything registered for the area, so a
                // window hidden by the without-voice filter is not "missing".
                let registered = entries.iter().any(|e| !e.data.retired && e.data.kind == Some(kind) && query.area.is_some_and(|a| e.data.serves(a).is_some()));
                if !registered {
                    missing.push(Missing { kind, worry: w });
                }
            }
        }
    }
    Results { found, missing, crisis }
}

/// The national line a result stands for (itself, or the group's entry
/// that corrects it).
fn national_id(f: &Found, entries: &[Doc<Window>]) -> Option<&'static str> {
    match f.hit {
        Hit::National(l) => Some(l.id),
        Hit::Entry(e) => national::line(&e.data.overrides).filter(|_| entries.iter().any(|x| std::ptr::eq(x, e))).map(|l| l.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::{Date, TimeOfDay};
    use crate::directory::window::{Day, Hours, Phone, Phones, ServiceArea, ServiceAreas, Session};
    use crate::schema::field::{PhoneNumber, Text};
    use crate::sync::collection::Visibility;
    use crate::sync::hlc::Hlc;
    use crate::sync::ids::{ClientId, GroupId, RecordId, UserId};

    fn doc(name: &str, kind: WindowType, areas: Vec<ServiceArea>) -> Doc<Window> {
        Doc {
            id: RecordId::derived(&[name]),
            group: GroupId::new_v7(1, [2; 10]),
            owner: UserId::new_v7(1, [3; 10]),
            visibility: Visibility::Group,
            stamp: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            created: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            conflicts: Vec::new(),
            data: Window {
                name: Text::new(name),
                kind: Some(kind),
                areas: ServiceAreas(areas),
                phones: Phones(vec![Phone { number: "078-000-0000".into(), note: String::new() }]),
                verified_on: Date::parse("2026-04-01").ok(),
                ..Window::default()
            },
        }
    }

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    fn kobe() -> AreaCode {
        code("281000")
    }

    fn t(s: &str) -> JstDateTime {
        JstDateTime::parse(s).unwrap()
    }

    fn ask(worries: &[Worry], area: Option<AreaCode>) -> Query {
        Query { worries: worries.to_vec(), area, without_voice: false }
    }

    fn national(f: &Found) -> Option<&'static str> {
        match f.hit {
            Hit::National(l) => Some(l.id),
            Hit::Entry(_) => None,
        }
    }

    #[test]
    fn housing_in_kobe_comes_nearest_first_with_reasons() {
        let entries = vec![
            doc("兵庫県精神保健福祉センター", WindowType::MentalHealthCentre, vec![ServiceArea::Prefecture { code: code("280003") }]),
            doc("神戸市 くらし支援窓口", WindowType::SelfRelianceSupport, vec![ServiceArea::Municipality { code: kobe() }]),
            doc("神戸市居住支援法人", WindowType::HousingSupport, vec![ServiceArea::Municipality { code: kobe() }]),
            doc("大阪市 くらし支援窓口", WindowType::SelfRelianceSupport, vec![ServiceArea::Municipality { code: code("271004") }]),
            doc("神戸市 障害福祉課", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]),
        ];
        let results = find(&ask(&[Worry::Housing], Some(kobe())), &entries, t("2026-11-25T10:00"));
        let names: Vec<&str> = results.found.iter().map(Found::name).collect();
        assert_eq!(&names[..3], &["神戸市 くらし支援窓口", "神戸市居住支援法人", "神戸市 障害福祉課"]);
        assert!(!names.contains(&"大阪市 くらし支援窓口"), "another city's window is not offered");
        assert!(!names.contains(&"兵庫県精神保健福祉センター"), "the centre does not take housing");
        let levels: Vec<Level> = results.found.iter().map(|f| f.level).collect();
        assert!(levels.windows(2).all(|w| w[0] <= w[1]), "nearest level first");
        for id in catalogue::ALWAYS {
            assert!(results.found.iter().any(|f| national(f) == Some(id)), "{id}");
        }
        // Consultation support offices and the life support base are not registered.
        let missing: Vec<WindowType> = results.missing.iter().map(|m| m.kind).collect();
        assert!(missing.contains(&WindowType::ConsultationSupport) && missing.contains(&WindowType::LifeSupportBase), "{missing:?}");
        assert!(!missing.contains(&WindowType::HousingSupport));
    }

    #[test]
    fn a_crisis_at_night_starts_with_119_and_the_emergency_centre() {
        let naha = code("472018");
        let okinawa = code("470007");
        let mut centre = doc("沖縄県精神科救急医療情報センター", WindowType::PsychEmergency, vec![ServiceArea::Prefecture { code: okinawa }]);
        centre.data.hours = Hours(vec![Session { days: Day::ALL.to_vec(), opens: TimeOfDay::at(17, 0), closes: TimeOfDay::at(9, 0) }]);
        let mut desk = doc("那覇市 障害福祉課", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: naha }]);
        desk.data.hours = Hours(vec![Session { days: Day::WEEK[..5].to_vec(), opens: TimeOfDay::at(8, 30), closes: TimeOfDay::at(17, 15) }]);
        let entries = vec![desk, centre];
        // Tuesday 02:00.
        let results = find(&ask(&[Worry::Crisis], Some(naha)), &entries, t("2026-11-24T02:00"));
        assert!(results.crisis);
        let names: Vec<&str> = results.found.iter().map(Found::name).collect();
        assert_eq!(names[0], "救急・消防", "{names:?}");
        assert_eq!(names[1], "沖縄県精神科救急医療情報センター");
        let sos = results.found.iter().position(|f| national(f) == Some("inochi-sos")).unwrap();
        assert!(!results.found[sos].open.is_open(), "#いのちSOS is closed at 02:00 on a Tuesday");
        let desk = names.iter().position(|n| *n == "那覇市 障害福祉課").unwrap();
        let yorisoi = results.found.iter().position(|f| national(f) == Some("yorisoi")).unwrap();
        assert!(yorisoi < desk && yorisoi < sos, "open lines come before closed ones: {names:?}");
        for f in &results.found[2..] {
            if !f.open.is_open() {
                assert!(results.found.iter().skip_while(|g| !std::ptr::eq(*g, f)).all(|g| !g.open.is_open()), "nothing open after a closed one");
                break;
            }
        }
    }

    #[test]
    fn no_reason_claims_round_the_clock_unless_the_hours_say_so() {
        let now = t("2026-11-24T02:00");
        for &w in Worry::ALL {
            let results = find(&ask(&[w], None), &[], now);
            for f in &results.found {
                let Hit::National(line) = f.hit else { continue };
                for why in &f.why {
                    let claims = ["24時間", "いつでも", "24 hours", "any time"].iter().any(|p| why.text.ja.contains(p) || why.text.en.contains(p));
                    assert!(!claims || line.schedule().always(), "{}: {:?}", line.id, why.text);
                }
            }
        }
    }

    #[test]
    fn without_voice_keeps_only_windows_reachable_in_writing() {
        let mut fax = doc("神戸市 障害福祉課", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]);
        fax.data.fax = PhoneNumber("078-000-0001".into());
        let phone_only = doc("神戸市 基幹相談支援センター", WindowType::CoreConsultation, vec![ServiceArea::Municipality { code: kobe() }]);
        let entries = vec![fax, phone_only];
        let q = Query { worries: vec![Worry::AbuseDv], area: Some(kobe()), without_voice: true };
        let results = find(&q, &entries, t("2026-11-25T10:00"));
        let names: Vec<&str> = results.found.iter().map(Found::name).collect();
        assert!(names.contains(&"神戸市 障害福祉課"));
        assert!(!names.contains(&"神戸市 基幹相談支援センター"));
        assert!(results.found.iter().any(|f| national(f) == Some("dv-plus")), "DV相談＋ takes email and chat");
        assert!(!results.found.iter().any(|f| national(f) == Some("yorisoi")));
    }

    #[test]
    fn a_group_can_correct_or_hide_a_national_line() {
        let mut corrected = doc("#いのちSOS（番号が変わりました）", WindowType::NationalLine, vec![ServiceArea::National]);
        corrected.data.overrides = Text::new("inochi-sos");
        let mut hidden = doc("よりそいホットライン", WindowType::NationalLine, vec![ServiceArea::National]);
        hidden.data.overrides = Text::new("yorisoi");
        hidden.data.retired = true;
        let entries = vec![corrected, hidden];
        let results = find(&ask(&[Worry::Crisis], None), &entries, t("2026-11-25T10:00"));
        let names: Vec<&str> = results.found.iter().map(Found::name).collect();
        assert_eq!(names.iter().filter(|n| n.contains("いのちSOS")).count(), 1, "{names:?}");
        assert!(names.contains(&"#いのちSOS（番号が変わりました）"));
        assert!(!names.contains(&"よりそいホットライン"));
    }

    #[test]
    fn retired_entries_are_not_offered() {
        let mut e = doc("古い窓口", WindowType::MunicipalWelfare, vec![ServiceArea::Municipality { code: kobe() }]);
        e.data.retired = true;
        let entries = [e];
        let results = find(&ask(&[Worry::Family], Some(kobe())), &entries, t("2026-11-25T10:00"));
        assert!(results.found.iter().all(|f| matches!(f.hit, Hit::National(_))));
    }
}
