//! Evidence from contacts for 協議の場: anonymous counts that cannot
//! identify a person, not even by subtraction.
//!
//! Three rules, each against one way of recovering a small count:
//! - **Folding** (complementary suppression): in every table, the rows
//!   under 3 are folded into 「その他」 together with the next-smallest row,
//!   so no row under 3 is shown and none follows from the others.
//!   「その他」 shows no count, and the total is what the counted rows show
//!   「＋その他」: any count of the folded rows, however rounded, bounds
//!   their sum, and a sum bounded from both sides pins its parts when they
//!   sit at their own bounds (a generated check found 7, 2, 2, 2 and 7,
//!   folded to 「その他 約15件」, where 13 is the least the sum can be and
//!   the most the folded rows can hold, so each 2 was worked out).
//! - **Rounding**: every count shown is 3 or more, rounded to a multiple of
//!   5 (「約5件」), so that two snapshots whose periods or areas nest
//!   (October and October–November; 兵庫県 and 神戸市) cannot be subtracted
//!   to an exact small count for the difference.
//! - **Whole, finished months**: a period is whole months, ending with the
//!   last month that is over, so a snapshot taken a day later covers the
//!   same contacts.
//!
//! The property test at the bottom checks, by exhaustive search over every
//! set of counts, that no count under 3 of either snapshot or of their
//! difference can be pinned down; `core/tests/generated/evidence.rs` checks
//! the same on generated tables of up to eight rows.

use crate::base::map::SortedMap;

use serde_json::Value;

use crate::base::taxonomy::Worry;
use crate::base::time::{Date, days_in_month};
use crate::contacts::contact::{Contact, Mode, ReferralState};
use crate::directory::area::AreaCode;
use crate::schema::field::Structured;
use crate::schema::{Doc, Kind, Phrase, value};
use crate::structured;
use crate::sync::collection::Visibility;

/// Counts below this are never shown as numbers.
pub const SUPPRESS_BELOW: u32 = 3;
/// Counts from [`SUPPRESS_BELOW`] up are shown rounded to a multiple of this.
pub const ROUND_TO: u32 = 5;

/// A count as it may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Zero,
    /// 1 or 2: 「3未満」 (only in snapshots made before 「その他」 went
    /// uncounted).
    Under3,
    /// About this many (a multiple of 5; older snapshots hold exact counts).
    About(u32),
    /// 「その他」: rows folded together, their count not shown.
    Withheld,
    /// A total: about this many in the counted rows, and 「その他」 besides.
    AboutPlus(u32),
}

impl Shown {
    pub fn of(n: u32) -> Self {
        match n {
            0 => Self::Zero,
            n if n < SUPPRESS_BELOW => Self::Under3,
            // Rounded to the nearest multiple; 3 and 4 are 「約5」, never 0.
            n => Self::About(((n + ROUND_TO / 2) / ROUND_TO).max(1) * ROUND_TO),
        }
    }

    pub fn say(self) -> Phrase {
        match self {
            Self::Zero => Phrase::new("0件".into(), "0".into()),
            Self::Under3 => Phrase::new("3未満".into(), "under 3".into()),
            Self::About(n) => Phrase::new(format!("約{n}件"), format!("about {n}")),
            Self::Withheld | Self::AboutPlus(0) => Phrase::new("件数は出しません".into(), "not shown".into()),
            Self::AboutPlus(n) => Phrase::new(format!("約{n}件＋その他"), format!("about {n}, and others")),
        }
    }

    fn read(v: &Value) -> Result<Self, String> {
        match v {
            Value::String(s) if s == "<3" => Ok(Self::Under3),
            Value::String(s) if s == "withheld" => Ok(Self::Withheld),
            Value::String(s) if s.ends_with('+') => match s[..s.len() - 1].parse::<u32>() {
                Ok(n) if n == 0 || n >= SUPPRESS_BELOW => Ok(Self::AboutPlus(n)),
                _ => Err("a total is a count and \"+\"".into()),
            },
            Value::Number(n) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
                Some(0) => Ok(Self::Zero),
                // A snapshot never holds an exact count under 3.
                Some(n) if n >= SUPPRESS_BELOW => Ok(Self::About(n)),
                _ => Err("a shown count is 0, \"<3\" or 3 and more".into()),
            },
            _ => Err("a shown count is 0, \"<3\" or 3 and more".into()),
        }
    }

    fn write(self) -> Value {
        match self {
            Self::Zero => Value::from(0),
            Self::Under3 => Value::String("<3".into()),
            Self::About(n) => Value::from(n),
            Self::Withheld => Value::String("withheld".into()),
            Self::AboutPlus(n) => Value::String(format!("{n}+")),
        }
    }
}

/// The key of the folded row.
pub const OTHER: &str = "other";
/// The key for contacts without a worry.
pub const NO_WORRY: &str = "unknown";

/// One table: rows by key (a worry's or a mode's id, [`OTHER`]), largest
/// first, 「その他」 last.
pub type Table = Vec<(String, Shown)>;

/// Folds and rounds one table of counts.
pub fn table(counts: &SortedMap<String, u32>) -> Table {
    // Rows in the order of what is shown (then by key), so that neither
    // the order nor the choice of what is folded tells more than the
    // rounded counts.
    let rank = |s: Shown| match s {
        Shown::Zero | Shown::Withheld | Shown::AboutPlus(_) => 0,
        Shown::Under3 => 1,
        Shown::About(n) => n + 2,
    };
    let mut rows: Vec<(&String, u32)> = counts.iter().filter(|(_, n)| **n > 0).map(|(k, n)| (k, *n)).collect();
    crate::base::order::sort_by(&mut rows, |a, b| rank(Shown::of(b.1)).cmp(&rank(Shown::of(a.1))).then(a.0.cmp(b.0)));
    let mut folded = false;
    if rows.iter().any(|(_, n)| *n < SUPPRESS_BELOW) {
        // Every row under 3, and always one more: the last of the rest.
        let small = rows.iter().filter(|(_, n)| *n < SUPPRESS_BELOW).count();
        rows.truncate(rows.len().saturating_sub(small + 1));
        folded = true;
    }
    let mut out: Table = rows.into_iter().map(|(k, n)| (k.clone(), Shown::of(n))).collect();
    if folded {
        out.push((OTHER.to_owned(), Shown::Withheld));
    }
    out
}

/// The total of a table that partitions the contacts (each contact in one
/// row), said as the sum of what its counted rows show, 「＋その他」 when
/// rows are folded: a total of its own, rounded or not, would bound the
/// folded rows' sum, from which, at the edges, they could be worked out.
pub fn total_of(partition: &Table) -> Shown {
    let counted = partition.iter().map(|(_, c)| if let Shown::About(n) = c { *n } else { 0 }).sum();
    match partition.as_slice() {
        [] => Shown::Zero,
        [(_, Shown::Under3)] => Shown::Under3,
        rows if rows.iter().any(|(_, c)| matches!(c, Shown::Withheld | Shown::Under3)) => Shown::AboutPlus(counted),
        _ => Shown::About(counted),
    }
}

/// Whole months, `from` to `to` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Months {
    pub first_day: Date,
    pub last_day: Date,
}

impl Months {
    /// The whole months from `from`'s month to `to`'s, cut back to the last
    /// month that is over on `today`; `None` when nothing is left.
    pub fn finished(from: Date, to: Date, today: Date) -> Option<Self> {
        let first_day = Date::new(from.year(), from.month(), 1).ok()?;
        let this_month = Date::new(today.year(), today.month(), 1).ok()?;
        let last_day = Date::new(to.year(), to.month(), days_in_month(to.year(), to.month())).ok()?.min(this_month.add_days(-1));
        (first_day <= last_day).then_some(Self { first_day, last_day })
    }

    pub fn contains(self, d: Date) -> bool {
        self.first_day <= d && d <= self.last_day
    }
}

/// What is attached to a raised item: the counts, already folded and
/// rounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub from: Date,
    pub to: Date,
    pub area: Option<AreaCode>,
    pub made_on: Date,
    pub contacts: Shown,
    pub worries: Table,
    pub modes: Table,
    /// Referrals that did not connect (つながらず), by worry.
    pub not_connected: Table,
    /// Worries for which no window was found.
    pub unmet: Table,
}

impl Default for Snapshot {
    fn default() -> Self {
        let d = Date::new(2000, 1, 1).unwrap_or_else(|_| unreachable!("a valid date"));
        Self { from: d, to: d, area: None, made_on: d, contacts: Shown::Zero, worries: Vec::new(), modes: Vec::new(), not_connected: Vec::new(), unmet: Vec::new() }
    }
}

fn read_table(v: Option<&Value>) -> Result<Table, String> {
    let mut out = Vec::new();
    for row in value::list(v.unwrap_or(&Value::Null), 50)? {
        let pair = row.as_array().filter(|p| p.len() == 2).ok_or("a row is [key, count]")?;
        let key = pair[0].as_str().ok_or("a row's key is text")?;
        value::line(key, 40)?;
        out.push((key.to_owned(), Shown::read(&pair[1])?));
    }
    Ok(out)
}

fn write_table(t: &Table) -> Value {
    Value::Array(t.iter().map(|(k, c)| Value::Array(vec![Value::String(k.clone()), c.write()])).collect())
}

impl Structured for Snapshot {
    const KIND: Kind = Kind::Snapshot;

    fn read(v: &Value) -> Result<Self, String> {
        if v.is_null() {
            return Ok(Self::default());
        }
        let o = value::object(v)?;
        value::only(o, &["from", "to", "area", "made_on", "contacts", "worries", "modes", "not_connected", "unmet"])?;
        let date = |k: &str| Date::parse(value::str(o, k)?).map_err(|e| format!("{k}: {e}"));
        let (from, to) = (date("from")?, date("to")?);
        if to < from {
            return Err("the period ends before it starts".into());
        }
        let area = value::opt_str(o, "area")?.map(AreaCode::parse).transpose().map_err(|e| format!("area: {e}"))?;
        Ok(Self {
            from,
            to,
            area,
            made_on: date("made_on")?,
            contacts: Shown::read(o.get("contacts").unwrap_or(&Value::Null))?,
            worries: read_table(o.get("worries"))?,
            modes: read_table(o.get("modes"))?,
            not_connected: read_table(o.get("not_connected"))?,
            unmet: read_table(o.get("unmet"))?,
        })
    }

    fn write(&self) -> Value {
        if *self == Self::default() {
            return Value::Null;
        }
        value::obj(vec![
            ("from", Value::String(self.from.to_string())),
            ("to", Value::String(self.to.to_string())),
            ("area", self.area.map_or(Value::Null, |a| Value::String(a.to_string()))),
            ("made_on", Value::String(self.made_on.to_string())),
            ("contacts", self.contacts.write()),
            ("worries", write_table(&self.worries)),
            ("modes", write_table(&self.modes)),
            ("not_connected", write_table(&self.not_connected)),
            ("unmet", write_table(&self.unmet)),
        ])
    }
}
structured!(Snapshot);

impl Snapshot {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Whether a contact's area is inside `area` (a municipality, or a
/// prefecture's code for all of it).
fn inside(contact: Option<AreaCode>, area: AreaCode) -> bool {
    contact.is_some_and(|c| if area.is_prefecture() { c.prefecture() == area.prefecture() } else { c == area })
}

/// Counts over the group's *shared* contacts in whole finished months (and
/// an area). Private contacts never count.
pub fn compute<'a>(contacts: impl IntoIterator<Item = &'a Doc<Contact>>, months: Months, area: Option<AreaCode>, made_on: Date) -> Snapshot {
    let (mut worries, mut modes, mut not_connected, mut unmet) = (SortedMap::new(), SortedMap::new(), SortedMap::new(), SortedMap::new());
    for doc in contacts {
        let c = &doc.data;
        if doc.visibility != Visibility::Group || !c.date().is_some_and(|d| months.contains(d)) {
            continue;
        }
        if area.is_some_and(|a| !inside(c.area, a)) {
            continue;
        }
        let Some(mode) = c.mode else { continue };
        *modes.get_or_default(mode.id().to_owned()) += 1;
        for w in c.worries.iter() {
            *worries.get_or_default(w.id().to_owned()) += 1;
        }
        if c.referrals.iter().any(|r| r.state == ReferralState::NotConnected) {
            let keys: Vec<&str> = if c.worries.is_empty() { vec![NO_WORRY] } else { c.worries.iter().map(|w| w.id()).collect() };
            for k in keys {
                *not_connected.get_or_default(k.to_owned()) += 1;
            }
        }
        for w in c.unmet_worries.iter() {
            *unmet.get_or_default(w.id().to_owned()) += 1;
        }
    }
    let modes = table(&modes);
    Snapshot {
        from: months.first_day,
        to: months.last_day,
        area,
        made_on,
        contacts: total_of(&modes),
        worries: table(&worries),
        modes,
        not_connected: table(&not_connected),
        unmet: table(&unmet),
    }
}

/// A row's label: a worry, a mode, 「その他」.
pub fn row_label(key: &str) -> Phrase {
    if key == OTHER {
        return Phrase::new("その他".into(), "Other".into());
    }
    if key == NO_WORRY {
        return Phrase::new("（悩みの記録なし）".into(), "(no worry recorded)".into());
    }
    if let Some(w) = Worry::from_id(key) {
        return Phrase::new(w.ja().into(), w.en().into());
    }
    match Mode::from_id(key) {
        Some(m) => Phrase::new(m.ja().into(), m.en().into()),
        None => Phrase::new(key.into(), key.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::JstDateTime;
    use crate::contacts::contact::{Referral, Referrals};
    use crate::directory::correction::WindowRef;
    use crate::schema::FieldType;
    use crate::schema::field::Set;
    use crate::sync::hlc::Hlc;
    use crate::sync::ids::{ClientId, GroupId, RecordId, UserId};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn contact(date: &str, mode: Mode, worries: &[Worry], shared: bool, area: &str) -> Doc<Contact> {
        Doc {
            id: RecordId::new_v7(1, [1; 10]),
            group: GroupId::new_v7(1, [2; 10]),
            owner: UserId::new_v7(1, [3; 10]),
            visibility: if shared { Visibility::Group } else { Visibility::Private },
            stamp: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            created: Hlc::new(1, 0, ClientId::from_random([1; 8])),
            conflicts: Vec::new(),
            data: Contact {
                mode: Some(mode),
                worries: Set(worries.to_vec()),
                area: AreaCode::parse(area).ok(),
                ..Contact::new(JstDateTime::parse(&format!("{date}T10:00")).unwrap())
            },
        }
    }

    #[test]
    fn counts_are_suppressed_and_rounded() {
        assert_eq!(Shown::of(0), Shown::Zero);
        assert_eq!(Shown::of(1), Shown::Under3);
        assert_eq!(Shown::of(2).say().ja, "3未満");
        assert_eq!(Shown::of(3), Shown::About(5));
        assert_eq!(Shown::of(7), Shown::About(5));
        assert_eq!(Shown::of(8), Shown::About(10));
        assert_eq!(Shown::of(12).say().ja, "約10件");
    }

    #[test]
    fn the_issue_s_five_contacts_show_no_total_beside_a_suppressed_row() {
        let modes: SortedMap<String, u32> = [("phone".to_owned(), 4), ("hospital".to_owned(), 1)].into();
        let t = table(&modes);
        assert_eq!(t, vec![(OTHER.to_owned(), Shown::Withheld)], "病院訪問 is folded with 電話");
        assert_eq!(total_of(&t), Shown::AboutPlus(0));
        assert!(t.iter().all(|(_, c)| *c != Shown::Under3));
        let many: SortedMap<String, u32> = [("phone".to_owned(), 9), ("visit".to_owned(), 3), ("hospital".to_owned(), 1), ("online".to_owned(), 1)].into();
        // Two rows under 3, so 訪問 (3) is folded in too.
        let t = table(&many);
        assert_eq!(t, vec![("phone".to_owned(), Shown::About(10)), (OTHER.to_owned(), Shown::Withheld)]);
        assert_eq!(total_of(&t), Shown::AboutPlus(10));
        assert_eq!(total_of(&t).say().ja, "約10件＋その他");
    }

    /// A generated check found this: 7, 2, 2, 2 and 7 folded to
    /// 「約5件」 and 「その他 約15件」. The folded rows hold at most 2 + 2 +
    /// 2 + 7 = 13 (the fourth ranks below a shown 約5件, so it is at most
    /// 7), and 約15件 means at least 13: each 2 was pinned down. With no
    /// count on 「その他」, any of them may be 1.
    #[test]
    fn a_folded_sum_is_never_shown() {
        let counts: SortedMap<String, u32> = [("a".to_owned(), 7), ("b".to_owned(), 2), ("c".to_owned(), 2), ("d".to_owned(), 2), ("e".to_owned(), 7)].into();
        let fewer: SortedMap<String, u32> = [("a".to_owned(), 7), ("b".to_owned(), 1), ("c".to_owned(), 2), ("d".to_owned(), 2), ("e".to_owned(), 7)].into();
        assert_eq!(table(&counts), vec![("a".to_owned(), Shown::About(5)), (OTHER.to_owned(), Shown::Withheld)]);
        assert_eq!(table(&counts), table(&fewer), "b = 2 and b = 1 look the same");
    }

    #[test]
    fn months_are_whole_and_finished() {
        let m = Months::finished(d("2026-10-15"), d("2026-11-20"), d("2026-11-24")).unwrap();
        assert_eq!((m.first_day, m.last_day), (d("2026-10-01"), d("2026-10-31")), "November is not over");
        assert!(Months::finished(d("2026-11-01"), d("2026-11-30"), d("2026-11-24")).is_none());
        let m = Months::finished(d("2026-02-03"), d("2026-02-03"), d("2026-11-24")).unwrap();
        assert_eq!(m.last_day, d("2026-02-28"));
    }

    #[test]
    fn counts_shared_contacts_in_the_months_and_area_only() {
        let kobe = "281000";
        let mut first = contact("2026-10-01", Mode::Phone, &[Worry::Housing, Worry::Money], true, kobe);
        first.data.referrals = Referrals(vec![Referral { window: WindowRef::National("yorisoi".into()), name: "x".into(), state: ReferralState::NotConnected, on: None }]);
        let contacts = vec![
            first,
            contact("2026-10-02", Mode::Phone, &[Worry::Housing], true, kobe),
            contact("2026-10-03", Mode::Phone, &[Worry::Housing], true, kobe),
            contact("2026-10-04", Mode::Phone, &[Worry::Housing], false, kobe),
            contact("2026-10-05", Mode::Phone, &[Worry::Housing], true, "271004"),
            contact("2026-12-01", Mode::Phone, &[Worry::Housing], true, kobe),
        ];
        let october = Months::finished(d("2026-10-01"), d("2026-10-31"), d("2026-11-24")).unwrap();
        let snap = compute(&contacts, october, AreaCode::parse(kobe).ok(), d("2026-11-24"));
        assert_eq!(snap.contacts, Shown::About(5), "3 shared contacts in Kobe in October");
        assert_eq!(snap.worries, vec![(OTHER.to_owned(), Shown::Withheld)], "money (1) folded with housing (3)");
        assert_eq!(snap.not_connected, vec![(OTHER.to_owned(), Shown::Withheld)]);
        let everywhere = compute(&contacts, october, None, d("2026-11-24"));
        assert_eq!(everywhere.modes, vec![("phone".to_owned(), Shown::About(5))]);
        let value = snap.to_value();
        assert_eq!(Snapshot::parse(&value), Ok(snap));
        assert!(Snapshot::parse(&serde_json::json!({"from": "2026-10-01", "to": "2026-10-31", "made_on": "2026-11-24", "contacts": 1})).is_err(), "no exact small count is stored");
    }

    /// A tiny deterministic generator, so the property test needs no crate.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// What a snapshot shows of three modes' counts: the total and the table.
    fn shown(cells: [u32; 3]) -> (Shown, Table) {
        let counts: SortedMap<String, u32> = ["phone", "visit", "hospital"].iter().zip(cells).map(|(k, n)| ((*k).to_owned(), n)).collect();
        let t = table(&counts);
        (total_of(&t), t)
    }

    #[test]
    fn no_count_under_3_follows_from_one_snapshot_or_two_that_nest() {
        // Region A (October, or 神戸市) and D (the rest: November, or 兵庫県
        // outside 神戸市); B = A + D is the larger snapshot. An attacker
        // sees A's and B's snapshots and knows the rules; for every count
        // under 3 — in A, in B or in the difference D — more than one
        // value must fit what they see.
        // Truths up to 4 per cell; the attacker considers up to 8, so that
        // no bound of the search itself pins a value.
        const TRUTH: u32 = 5;
        const MAX: u32 = 8;
        const SIDE: u32 = 2 * MAX + 1;
        type Cells = [u32; 3];
        let index = |c: Cells| (c[0] + SIDE * (c[1] + SIDE * c[2])) as usize;
        // Every view, numbered, for every cell vector up to 2 × MAX.
        let mut views: Vec<(Shown, Table)> = Vec::new();
        let mut view_of = vec![0usize; SIDE.pow(3) as usize];
        for x in 0..SIDE.pow(3) {
            let c = [x % SIDE, x / SIDE % SIDE, x / SIDE / SIDE];
            let v = shown(c);
            view_of[index(c)] = views.iter().position(|w| *w == v).unwrap_or_else(|| {
                views.push(v);
                views.len() - 1
            });
        }
        let view_of = &view_of;
        let small: Vec<Cells> = (0..(MAX + 1).pow(3)).map(|x| [x % (MAX + 1), x / (MAX + 1) % (MAX + 1), x / (MAX + 1) / (MAX + 1)]).collect();
        let add = |a: Cells, d: Cells| [a[0] + d[0], a[1] + d[1], a[2] + d[2]];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let truths: Vec<Cells> = small.iter().copied().filter(|c| c.iter().all(|n| *n <= TRUTH)).collect();
        for case in 0..600 {
            let (a, dd) = (truths[rng.below(truths.len() as u64) as usize], truths[rng.below(truths.len() as u64) as usize]);
            let b = add(a, dd);
            let (seen_a, seen_b) = (view_of[index(a)], view_of[index(b)]);
            let fits: Vec<(Cells, Cells)> = small
                .iter()
                .filter(|ca| view_of[index(**ca)] == seen_a)
                .flat_map(|ca| small.iter().filter(move |cd| view_of[index(add(*ca, **cd))] == seen_b).map(move |cd| (*ca, *cd)))
                .collect();
            assert!(fits.contains(&(a, dd)), "case {case}: the truth fits");
            let sum = |c: Cells| c.iter().sum::<u32>();
            // Each count (per mode, and the totals) of A, D and B.
            let measures: Vec<(String, Box<dyn Fn(&(Cells, Cells)) -> u32>)> = (0..3)
                .flat_map(|i| {
                    [
                        (format!("A[{i}]"), Box::new(move |f: &(Cells, Cells)| f.0[i]) as Box<dyn Fn(&(Cells, Cells)) -> u32>),
                        (format!("D[{i}]"), Box::new(move |f: &(Cells, Cells)| f.1[i])),
                        (format!("B[{i}]"), Box::new(move |f: &(Cells, Cells)| f.0[i] + f.1[i])),
                    ]
                })
                .chain([
                    ("total A".to_owned(), Box::new(move |f: &(Cells, Cells)| sum(f.0)) as Box<dyn Fn(&(Cells, Cells)) -> u32>),
                    ("total D".to_owned(), Box::new(move |f: &(Cells, Cells)| sum(f.1))),
                ])
                .collect();
            for (name, of) in &measures {
                let truth = of(&(a, dd));
                if (1..SUPPRESS_BELOW).contains(&truth) {
                    let mut values: Vec<u32> = fits.iter().map(of).collect();
                    crate::base::order::sort_dedup(&mut values);
                    assert!(values.len() > 1, "case {case}: {name} = {truth} is pinned down (A {a:?}, D {dd:?})");
                }
            }
        }
    }
}
