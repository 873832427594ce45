//! The shared vocabulary: the worries people bring (主訴) and the kinds of
//! consultation window (相談窓口) that take them. Contacts, the window finder
//! and the evidence for 協議の場 all speak in these terms.

use serde::{Deserialize, Serialize};

use crate::schema::field::Featured;
use crate::vocabulary;

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
    pub fn heading(self) -> crate::schema::Label {
        use crate::schema::Label;
        match self {
            Self::Municipal => Label::new("身近な窓口", "Near you"),
            Self::Area => Label::new("圏域", "Health area"),
            Self::Prefecture => Label::new("都道府県", "Prefecture"),
            Self::National => Label::new("全国", "Nationwide"),
        }
    }
}

vocabulary! {
    /// What troubles the person (主訴). A contact has several. The first
    /// eight are the common ones a form shows at once.
    Worry {
        MentalHealth = "mental_health", "こころの不調・受診", "Mental health, seeing a doctor";
        Family = "family", "家族としての悩み", "Worries as a family member";
        Money = "money", "お金・生活", "Money, daily living";
        Housing = "housing", "住まい", "Housing";
        Work = "work", "仕事", "Work";
        Crisis = "crisis", "危機・死にたい気持ち", "Crisis, thoughts of suicide";
        WelfareServices = "welfare_services", "福祉サービス", "Welfare services";
        Hikikomori = "hikikomori", "ひきこもり", "Hikikomori (social withdrawal)";
        Isolation = "isolation", "孤独・孤立", "Loneliness, isolation";
        Untreated = "untreated", "未治療・治療中断", "Not treated, treatment stopped";
        ElderlyCare = "elderly_care", "高齢の家族・介護", "Older family, care";
        Parenting = "parenting", "子育て", "Raising children";
        Developmental = "developmental", "発達障害", "Developmental disability";
        Addiction = "addiction", "依存症", "Addiction";
        AbuseDv = "abuse_dv", "虐待・DV", "Abuse, domestic violence";
        Inpatient = "inpatient", "入院中の困りごと", "Troubles in hospital";
        Discharge = "discharge", "退院・地域移行", "Leaving hospital, life in the community";
        Peers = "peers", "仲間・居場所", "Peers, a place to be";
        Rights = "rights", "権利擁護・お金の管理", "Rights, managing money";
        Neighbours = "neighbours", "ごみ屋敷・近隣との摩擦", "Hoarding, trouble with neighbours";
        Disaster = "disaster", "災害・事件後のこころ", "After a disaster or incident";
        YoungCarer = "young_carer", "ヤングケアラー", "Young carers";
        Bereavement = "bereavement", "大切な人を亡くした", "Bereavement, suicide loss";
        Reentry = "reentry", "刑務所などを出た後の生活", "Life after prison";
    }
}

impl Featured for Worry {
    const FEATURED: usize = 8;
}

impl Worry {
    /// A worry for which what can be reached now comes first.
    pub fn is_crisis(self) -> bool {
        self == Self::Crisis
    }
}

vocabulary! {
    /// Kinds of consultation window, from the seed's layered picture.
    WindowType {
        MunicipalWelfare = "municipal_welfare", "市町村 精神保健・障害福祉の相談窓口", "Municipal mental-health and disability desk";
        CoreConsultation = "core_consultation", "基幹相談支援センター", "Core disability consultation centre";
        ConsultationSupport = "consultation_support", "相談支援事業所（計画相談・地域相談）", "Consultation support office (service plans, community transition)";
        LifeSupportBase = "life_support_base", "地域生活支援拠点等", "Community life support base";
        AbusePrevention = "abuse_prevention", "市町村障害者虐待防止センター", "Municipal disability abuse prevention centre";
        ComprehensiveCare = "comprehensive_care", "地域包括支援センター", "Community comprehensive support centre (older people)";
        PublicHealthCentre = "public_health_centre", "保健所", "Public health centre (保健所)";
        MentalHealthCentre = "mental_health_centre", "精神保健福祉センター", "Mental health and welfare centre";
        MentalHealthDivision = "mental_health_division", "都道府県 精神保健福祉主管課（精神医療審査会）", "Prefecture's mental-health division (psychiatric review board)";
        DevelopmentalCentre = "developmental_centre", "発達障害者支援センター", "Developmental disability support centre";
        HikikomoriCentre = "hikikomori_centre", "ひきこもり地域支援センター", "Hikikomori support centre";
        WorkLifeCentre = "work_life_centre", "障害者就業・生活支援センター", "Employment and life support centre";
        HelloWork = "hello_work", "ハローワーク（専門援助部門）", "Hello Work (specialised support)";
        SelfRelianceSupport = "self_reliance_support", "自立相談支援機関・福祉事務所", "Self-reliance support office, welfare office";
        HousingSupport = "housing_support", "居住支援法人・住まいの相談窓口", "Housing support";
        ChildFamilyCentre = "child_family_centre", "こども家庭センター", "Child and family centre";
        ChildGuidance = "child_guidance", "児童相談所", "Child guidance centre";
        DvCentre = "dv_centre", "配偶者暴力相談支援センター", "Spousal violence counselling centre";
        WomenSupport = "women_support", "女性相談支援センター", "Women's support centre";
        RightsAdvocacy = "rights_advocacy", "社会福祉協議会（権利擁護・成年後見）", "Social welfare council (rights, guardianship)";
        ReentrySupport = "reentry_support", "地域生活定着支援センター", "Community settlement support centre (after prison)";
        HospitalVisit = "hospital_visit", "入院者訪問支援事業の窓口", "Hospital visitor programme desk";
        PsychEmergency = "psych_emergency", "精神科救急医療情報センター", "Psychiatric emergency information centre";
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
            MunicipalWelfare | CoreConsultation | ConsultationSupport | LifeSupportBase | AbusePrevention | ComprehensiveCare
            | SelfRelianceSupport | HousingSupport | ChildFamilyCentre | RightsAdvocacy | Medical | PeerFamily => Level::Municipal,
            PublicHealthCentre | WorkLifeCentre | HelloWork => Level::Area,
            MentalHealthCentre | MentalHealthDivision | DevelopmentalCentre | HikikomoriCentre | ChildGuidance | DvCentre
            | WomenSupport | ReentrySupport | HospitalVisit | PsychEmergency => Level::Prefecture,
            NationalLine => Level::National,
        }
    }

    /// What to search for to find one (for 「まだ登録されていません」).
    pub fn search_hint(self) -> crate::schema::Label {
        use crate::schema::Label;
        use WindowType::*;
        match self {
            MunicipalWelfare => Label::new("「市名 障害福祉課」「市名 精神保健 相談」", "“<city> disability welfare division”"),
            CoreConsultation => Label::new("「市名 基幹相談支援センター」", "“<city> core consultation centre”"),
            ConsultationSupport => Label::new("「市名 相談支援事業所 一覧」", "“<city> consultation support offices”"),
            LifeSupportBase => Label::new("「市名 地域生活支援拠点」", "“<city> community life support base”"),
            AbusePrevention => Label::new("「市名 障害者虐待防止センター」", "“<city> disability abuse prevention centre”"),
            ComprehensiveCare => Label::new("「市名 地域包括支援センター」", "“<city> community comprehensive support centre”"),
            PublicHealthCentre => Label::new("「市名 保健所 精神保健相談」", "“<city> public health centre”"),
            MentalHealthCentre => Label::new("「県名 精神保健福祉センター」", "“<prefecture> mental health and welfare centre”"),
            MentalHealthDivision => Label::new("「県名 精神保健福祉 主管課」「県名 精神医療審査会」", "“<prefecture> psychiatric review board”"),
            DevelopmentalCentre => Label::new("「県名 発達障害者支援センター」", "“<prefecture> developmental disability support centre”"),
            HikikomoriCentre => Label::new("「県名 ひきこもり地域支援センター」", "“<prefecture> hikikomori support centre”"),
            WorkLifeCentre => Label::new("「市名 障害者就業・生活支援センター」", "“<area> employment and life support centre”"),
            HelloWork => Label::new("「市名 ハローワーク 専門援助」", "“<city> Hello Work”"),
            SelfRelianceSupport => Label::new("「市名 自立相談支援機関」「市名 福祉事務所」", "“<city> self-reliance support”"),
            HousingSupport => Label::new("「県名 居住支援法人」", "“<prefecture> housing support corporation”"),
            ChildFamilyCentre => Label::new("「市名 こども家庭センター」", "“<city> child and family centre”"),
            ChildGuidance => Label::new("「県名 児童相談所」", "“<prefecture> child guidance centre”"),
            DvCentre => Label::new("「県名 配偶者暴力相談支援センター」", "“<prefecture> spousal violence centre”"),
            WomenSupport => Label::new("「県名 女性相談支援センター」", "“<prefecture> women's support centre”"),
            RightsAdvocacy => Label::new("「市名 社会福祉協議会 権利擁護」", "“<city> social welfare council”"),
            ReentrySupport => Label::new("「県名 地域生活定着支援センター」", "“<prefecture> community settlement support centre”"),
            HospitalVisit => Label::new("「県名 入院者訪問支援事業」", "“<prefecture> hospital visitor programme”"),
            PsychEmergency => Label::new("「県名 精神科救急医療情報センター」", "“<prefecture> psychiatric emergency information centre”"),
            Medical => Label::new("「市名 精神科 デイケア」", "“<city> psychiatry day care”"),
            PeerFamily => Label::new("「県名 家族会」「市名 地域活動支援センター」", "“<prefecture> family association”"),
            NationalLine => Label::new("", ""),
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
            assert!(t == &WindowType::NationalLine || !t.search_hint().ja.is_empty());
        }
        let mut ids: Vec<&str> = Worry::ALL.iter().map(|w| w.id()).collect();
        crate::base::order::sort_dedup(&mut ids);
        assert_eq!(ids.len(), Worry::ALL.len());
    }

    #[test]
    fn the_worries_the_seed_names_are_all_there() {
        let names: Vec<&str> = Worry::ALL.iter().map(|w| w.ja()).collect();
        for expected in [
            "こころの不調・受診", "危機・死にたい気持ち", "住まい", "仕事", "お金・生活", "福祉サービス",
            "高齢の家族・介護", "子育て", "発達障害", "ひきこもり", "依存症", "虐待・DV", "入院中の困りごと",
            "退院・地域移行", "家族としての悩み", "仲間・居場所", "権利擁護・お金の管理", "災害・事件後のこころ",
            "孤独・孤立", "未治療・治療中断", "ごみ屋敷・近隣との摩擦", "刑務所などを出た後の生活",
        ] {
            assert!(names.contains(&expected), "{expected}");
        }
    }
}
