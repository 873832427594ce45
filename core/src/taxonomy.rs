//! The shared vocabulary: the worries people bring (主訴) and the kinds of
//! consultation window (相談窓口) that take them. Contacts, the window finder
//! and the evidence for 協議の場 all speak in these terms.

use serde::{Deserialize, Serialize};

/// How near a window is to the person's daily life; results are grouped
/// and ordered by it (身近な窓口 first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 市町村 (and 日常生活圏域).
    Municipal,
    /// 障害保健福祉圏域 (served by a 保健所).
    Area,
    /// 都道府県 (and 政令指定都市).
    Prefecture,
    /// 全国の電話・SNS相談.
    National,
}

impl Level {
    pub const ALL: [Level; 4] = [Self::Municipal, Self::Area, Self::Prefecture, Self::National];

    pub fn id(self) -> &'static str {
        match self {
            Self::Municipal => "municipal",
            Self::Area => "area",
            Self::Prefecture => "prefecture",
            Self::National => "national",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// The group heading in the finder.
    pub fn finder_heading_ja(self) -> &'static str {
        match self {
            Self::Municipal => "身近な窓口",
            Self::Area => "圏域",
            Self::Prefecture => "都道府県",
            Self::National => "全国",
        }
    }

    pub fn finder_heading_en(self) -> &'static str {
        match self {
            Self::Municipal => "Near you",
            Self::Area => "Health area",
            Self::Prefecture => "Prefecture",
            Self::National => "Nationwide",
        }
    }
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $id:literal, $ja:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant,)*];
            pub const IDS: &'static [&'static str] = &[$($id,)*];

            pub fn id(self) -> &'static str {
                match self { $(Self::$variant => $id,)* }
            }

            pub fn from_id(id: &str) -> Option<Self> {
                match id { $($id => Some(Self::$variant),)* _ => None }
            }

            pub fn ja(self) -> &'static str {
                match self { $(Self::$variant => $ja,)* }
            }

            pub fn en(self) -> &'static str {
                match self { $(Self::$variant => $en,)* }
            }
        }
    };
}

vocabulary! {
    /// What troubles the person (主訴). A contact has several.
    Worry {
        MentalHealth = "mental_health", "こころの不調・受診", "Mental health, seeing a doctor";
        Crisis = "crisis", "危機・死にたい気持ち", "Crisis, thoughts of suicide";
        Housing = "housing", "住まい", "Housing";
        Work = "work", "仕事", "Work";
        Money = "money", "お金・生活", "Money, daily living";
        WelfareServices = "welfare_services", "福祉サービス", "Welfare services";
        ElderlyCare = "elderly_care", "高齢の家族・介護", "Older family, care";
        Parenting = "parenting", "子育て", "Raising children";
        Developmental = "developmental", "発達障害", "Developmental disability";
        Hikikomori = "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)";
        Addiction = "addiction", "依存症", "Addiction";
        AbuseDv = "abuse_dv", "虐待・DV", "Abuse, domestic violence";
        Inpatient = "inpatient", "入院中の困りごと", "Troubles in hospital";
        Discharge = "discharge", "退院・地域移行", "Leaving hospital, life in the community";
        Family = "family", "家族としての悩み", "Worries as a family member";
        Peers = "peers", "仲間・居場所", "Peers, a place to be";
        Rights = "rights", "権利擁護・お金の管理", "Rights, managing money";
        Disaster = "disaster", "災害・事件後のこころ", "After a disaster or incident";
        YoungCarer = "young_carer", "ヤングケアラー", "Young carers";
        Bereavement = "bereavement", "大切な人を亡くした", "Bereavement, suicide loss";
        Reentry = "reentry", "刑務所などを出た後の生活", "Life after prison";
    }
}

vocabulary! {
    /// Kinds of consultation window, from the seed's layered picture.
    WindowType {
        MunicipalWelfare = "municipal_welfare", "市町村 精神保健・障害福祉の相談窓口", "Municipal mental-health and disability desk";
        CoreConsultation = "core_consultation", "基幹相談支援センター", "Core disability consultation centre";
        ConsultationSupport = "consultation_support", "相談支援事業所（計画相談・地域相談）", "Consultation support office (service plans, community transition)";
        LifeSupportBase = "life_support_base", "地域生活支援拠点等", "Community life support base";
        ComprehensiveCare = "comprehensive_care", "地域包括支援センター", "Community comprehensive support centre (older people)";
        PublicHealthCentre = "public_health_centre", "保健所", "Public health centre (保健所)";
        MentalHealthCentre = "mental_health_centre", "精神保健福祉センター", "Mental health and welfare centre";
        DevelopmentalCentre = "developmental_centre", "発達障害者支援センター", "Developmental disability support centre";
        HikikomoriCentre = "hikikomori_centre", "ひきこもり地域支援センター", "Hikikomori support centre";
        WorkLifeCentre = "work_life_centre", "障害者就業・生活支援センター", "Employment and life support centre";
        HelloWork = "hello_work", "ハローワーク（専門援助部門）", "Hello Work (specialised support)";
        SelfRelianceSupport = "self_reliance_support", "自立相談支援機関・福祉事務所", "Self-reliance support office, welfare office";
        HousingSupport = "housing_support", "居住支援法人・住まいの相談窓口", "Housing support";
        ChildFamilyCentre = "child_family_centre", "こども家庭センター", "Child and family centre";
        ChildGuidance = "child_guidance", "児童相談所", "Child guidance centre";
        DvCentre = "dv_centre", "配偶者暴力相談支援センター", "Spousal violence counselling centre";
        RightsAdvocacy = "rights_advocacy", "社会福祉協議会（権利擁護・成年後見）", "Social welfare council (rights, guardianship)";
        HospitalVisit = "hospital_visit", "入院者訪問支援事業の窓口", "Hospital visitor programme desk";
        PsychEmergency = "psych_emergency", "精神科救急情報センター", "Psychiatric emergency information centre";
        Medical = "medical", "医療機関（精神科・デイケア・訪問看護）", "Medical care (psychiatry, day care, home nursing)";
        PeerFamily = "peer_family", "ピアサポート・家族会・地域活動支援センター", "Peer support, family associations, community activity centres";
        NationalLine = "national_line", "全国の相談電話・SNS", "National phone and SNS lines";
    }
}

impl WindowType {
    /// The level a window of this type usually serves.
    pub fn level(self) -> Level {
        use WindowType::*;
        match self {
            MunicipalWelfare | CoreConsultation | ConsultationSupport | LifeSupportBase | ComprehensiveCare
            | SelfRelianceSupport | HousingSupport | ChildFamilyCentre | RightsAdvocacy | Medical | PeerFamily => {
                Level::Municipal
            }
            PublicHealthCentre | WorkLifeCentre | HelloWork => Level::Area,
            MentalHealthCentre | DevelopmentalCentre | HikikomoriCentre | ChildGuidance | DvCentre | HospitalVisit
            | PsychEmergency => Level::Prefecture,
            NationalLine => Level::National,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for w in Worry::ALL {
            assert_eq!(Worry::from_id(w.id()), Some(*w));
        }
        for t in WindowType::ALL {
            assert_eq!(WindowType::from_id(t.id()), Some(*t));
        }
        let mut ids = Worry::IDS.to_vec();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), Worry::ALL.len());
    }

    #[test]
    fn the_issue_s_worries_are_all_there() {
        let names: Vec<&str> = Worry::ALL.iter().map(|w| w.ja()).collect();
        for expected in [
            "こころの不調・受診", "危機・死にたい気持ち", "住まい", "仕事", "お金・生活", "福祉サービス",
            "高齢の家族・介護", "子育て", "発達障害", "ひきこもり", "依存症", "虐待・DV", "入院中の困りごと",
            "退院・地域移行", "家族としての悩み", "仲間・居場所", "権利擁護・お金の管理", "災害・事件後のこころ",
        ] {
            assert!(names.contains(&expected), "{expected}");
        }
    }
}
