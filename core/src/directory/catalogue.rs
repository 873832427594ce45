//! Which kinds of window take which worry, nearest first, each with the
//! one-line reason the finder shows (「なぜこの窓口？」). From the seed's
//! layered picture: the municipality first, the health area's 保健所 and
//! the prefecture's centres behind it (バックアップ), national lines always.

//!
//! A reason never speaks of hours (「24時間」「いつでも」): whether a window
//! is open is shown from its own hours, which a reason cannot know.

use crate::base::taxonomy::{WindowType, Worry};
use crate::schema::Label;

/// One route from a worry to a kind of window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub window: WindowType,
    pub why: Label,
}

const fn r(window: WindowType, ja: &'static str, en: &'static str) -> Route {
    Route { window, why: Label::new(ja, en) }
}

use WindowType as T;

const GENERAL: Route = r(T::MunicipalWelfare, "どんな相談も最初に受ける身近な窓口です。精神保健の相談は障害の有無を問わず受けます。", "The first stop for anything; mental-health consultations are open to everyone.");
const HEALTH_CENTRE: Route = r(T::PublicHealthCentre, "精神保健の専門相談や訪問をしています。市町村の後ろで支えます。", "Specialist mental-health consultation and outreach, backing up the municipality.");
const MH_CENTRE: Route = r(T::MentalHealthCentre, "こみいった相談や専門的な相談を受ける、都道府県の中心の窓口です。", "The prefecture's centre for complex and specialised cases.");
const PEERS: Route = r(T::PeerFamily, "同じ経験をした仲間や家族と話せる場所です。", "People with the same experience, and a place to be.");

/// The routes for a worry, nearest level first.
pub fn routes(worry: Worry) -> &'static [Route] {
    match worry {
        Worry::MentalHealth => {
            const L: &[Route] = &[
            GENERAL,
            r(T::Medical, "受診先や、デイケア・訪問看護の相談ができます。", "Where to see a doctor; day care and home nursing."),
            HEALTH_CENTRE,
            MH_CENTRE,
            r(T::NationalLine, "かけた地域の公的な相談窓口につながります。", "Connects you to the public line of the area you call from."),
            ];
            L
        }
        Worry::Crisis => {
            const L: &[Route] = &[
            r(T::PsychEmergency, "夜間・休日の急な悪化のとき、受診先を案内します。", "Nights and holidays: finds psychiatric care in an acute crisis."),
            GENERAL,
            HEALTH_CENTRE,
            r(T::NationalLine, "死にたい気持ちを話せる電話があります。", "Lines that listen to thoughts of suicide."),
            ];
            L
        }
        Worry::Housing => {
            const L: &[Route] = &[
            r(T::SelfRelianceSupport, "家賃や住まいを失うおそれの相談を受け、住居確保給付金などにつなぎます。", "Rent and risk of losing a home; housing benefit."),
            r(T::HousingSupport, "入居できる住まいさがしや入居後の見守りを手伝います。", "Helps find a place to live and supports the tenancy."),
            r(T::ConsultationSupport, "グループホームなど、障害福祉の住まいの相談ができます。", "Group homes and other disability housing."),
            r(T::LifeSupportBase, "緊急時の受け入れや、体験の場を用意しています。", "Emergency stays and trial living."),
            GENERAL,
            ];
            L
        }
        Worry::Work => {
            const L: &[Route] = &[
            r(T::WorkLifeCentre, "仕事とそのまわりの生活を一緒に支えます。", "Work and the daily life around it, together."),
            r(T::HelloWork, "障害のある人の専門の窓口で仕事さがしを手伝います。", "Specialised job search for people with disabilities."),
            r(T::ConsultationSupport, "就労移行・就労継続支援などのサービスの相談ができます。", "Employment support services."),
            GENERAL,
            ];
            L
        }
        Worry::Money => {
            const L: &[Route] = &[
            r(T::SelfRelianceSupport, "生活に困ったときの相談先です。生活保護の相談もここです。", "Money trouble and public assistance (生活保護)."),
            r(T::RightsAdvocacy, "お金の管理を手伝う制度（日常生活自立支援事業）があります。", "Help managing money day to day."),
            GENERAL,
            r(T::NationalLine, "どんな悩みでも聞いてくれる電話があります。", "A line for any worry."),
            ];
            L
        }
        Worry::WelfareServices => {
            const L: &[Route] = &[
            GENERAL,
            r(T::CoreConsultation, "障害福祉の相談の中心です。どこに聞けばよいかわからないときに。", "The core of disability consultation, when unsure where to ask."),
            r(T::ConsultationSupport, "サービスの利用計画をつくり、手続きを手伝います。", "Service plans and the paperwork."),
            ];
            L
        }
        Worry::ElderlyCare => {
            const L: &[Route] = &[
            r(T::ComprehensiveCare, "高齢の家族の介護・見守り・虐待の相談を受けます。8050の家庭も。", "Older people's care, watching over, elder abuse; 8050 households."),
            GENERAL,
            HEALTH_CENTRE,
            ];
            L
        }
        Worry::Parenting => {
            const L: &[Route] = &[
            r(T::ChildFamilyCentre, "妊娠・子育ての相談を受ける市町村の窓口です。", "Pregnancy and child-rearing, at the municipality."),
            r(T::ChildGuidance, "子どもの養育や虐待の相談を受けます（189）。", "Child care and abuse (dial 189)."),
            GENERAL,
            ];
            L
        }
        Worry::Developmental => {
            const L: &[Route] = &[
            r(T::DevelopmentalCentre, "発達障害の専門の相談機関です。", "The specialised centre for developmental disabilities."),
            r(T::ConsultationSupport, "利用できる福祉サービスの相談ができます。", "Which welfare services can be used."),
            GENERAL,
            MH_CENTRE,
            ];
            L
        }
        Worry::Hikikomori => {
            const L: &[Route] = &[
            GENERAL,
            r(T::HikikomoriCentre, "ひきこもりの専門窓口です。家族だけの相談もできます。", "The hikikomori centre; families can consult alone."),
            MH_CENTRE,
            r(T::ComprehensiveCare, "高齢の親とひきこもりの子の世帯（8050）の相談を受けます。", "Households of older parents and a withdrawn adult child (8050)."),
            PEERS,
            ];
            L
        }
        Worry::Addiction => {
            const L: &[Route] = &[
            MH_CENTRE,
            HEALTH_CENTRE,
            r(T::Medical, "依存症の専門医療機関があります。", "Specialist addiction treatment."),
            r(T::PeerFamily, "自助グループや家族会があります。", "Self-help and family groups."),
            ];
            L
        }
        Worry::AbuseDv => {
            const L: &[Route] = &[
            r(T::DvCentre, "配偶者・パートナーからの暴力の相談と保護をします。", "Violence from a spouse or partner: counselling and shelter."),
            r(T::ChildGuidance, "子どもへの虐待の通告・相談を受けます（189）。", "Child abuse reports and consultation (189)."),
            r(T::AbusePrevention, "障害のある人への虐待の通報・相談を受けます（家族・施設・職場から）。", "Reports of abuse of a person with a disability, at home, in services or at work."),
            r(T::ComprehensiveCare, "高齢者への虐待の相談を受けます。", "Elder abuse."),
            GENERAL,
            r(T::WomenSupport, "女性の暴力被害や生活の困りごとの相談を受け、一時保護もします。", "Women facing violence or hardship; temporary shelter."),
            r(T::MentalHealthDivision, "精神科病院での虐待は、都道府県の精神保健福祉の担当課に通報できます。", "Abuse in a psychiatric hospital is reported to the prefecture's mental-health division."),
            r(T::NationalLine, "DVや虐待の全国の電話があります。", "National lines for violence and abuse."),
            ];
            L
        }
        Worry::Inpatient => {
            const L: &[Route] = &[
            r(T::HospitalVisit, "入院中の人に、訪問支援員が話を聞きに行きます。", "Trained visitors come to listen to people in hospital."),
            r(T::MentalHealthDivision, "退院や処遇の改善を求める請求（精神医療審査会）と、病院での虐待の通報を受けます。", "Requests for discharge or better treatment (psychiatric review board), and reports of abuse in hospital."),
            r(T::AbusePrevention, "障害のある人への虐待の通報・相談を受けます。", "Reports of abuse of a person with a disability."),
            r(T::RightsAdvocacy, "本人の権利を守る相談ができます。", "Protecting the person's rights."),
            MH_CENTRE,
            HEALTH_CENTRE,
            ];
            L
        }
        Worry::Discharge => {
            const L: &[Route] = &[
            r(T::ConsultationSupport, "退院して地域で暮らすための地域移行支援・地域定着支援をします。", "Support to move out of hospital and settle in the community."),
            r(T::LifeSupportBase, "体験の宿泊や、緊急時の受け入れがあります。", "Trial stays and emergency support."),
            GENERAL,
            HEALTH_CENTRE,
            ];
            L
        }
        Worry::Family => {
            const L: &[Route] = &[
            r(T::PeerFamily, "同じ立場の家族と話せる家族会があります。", "Family associations: talk with others in the same position."),
            GENERAL,
            HEALTH_CENTRE,
            MH_CENTRE,
            ];
            L
        }
        Worry::Peers => {
            const L: &[Route] = &[
            PEERS,
            r(T::ConsultationSupport, "地域活動支援センターなど日中の居場所の相談ができます。", "Day-time places such as community activity centres."),
            GENERAL,
            ];
            L
        }
        Worry::Rights => {
            const L: &[Route] = &[
            r(T::RightsAdvocacy, "お金の管理や成年後見の相談ができます。", "Managing money and guardianship."),
            r(T::CoreConsultation, "権利擁護や虐待防止の相談も受けます。", "Rights and abuse prevention."),
            GENERAL,
            ];
            L
        }
        Worry::Isolation => {
            const L: &[Route] = &[
            GENERAL,
            r(T::PeerFamily, "同じ経験をした仲間と会える居場所があります。", "Places to meet people with the same experience."),
            r(T::SelfRelianceSupport, "孤独・孤立や生活の困りごとの相談を受けます。", "Loneliness, isolation and everyday hardship."),
            r(T::ComprehensiveCare, "高齢の人の見守りや、ひとり暮らしの相談を受けます。", "Watching over older people living alone."),
            r(T::NationalLine, "どんな悩みでも話せる電話があります。", "Lines where any worry can be talked through."),
            ];
            L
        }
        Worry::Untreated => {
            const L: &[Route] = &[
            GENERAL,
            HEALTH_CENTRE,
            r(T::MentalHealthCentre, "受診につながらない・治療が途切れた人の相談や、訪問支援（アウトリーチ）をしています。", "People not (or no longer) in treatment; outreach."),
            r(T::Medical, "受診先や、往診・訪問看護の相談ができます。", "Where to see a doctor; home visits and nursing."),
            ];
            L
        }
        Worry::Neighbours => {
            const L: &[Route] = &[
            GENERAL,
            HEALTH_CENTRE,
            r(T::ComprehensiveCare, "高齢の人のごみ屋敷や近所との摩擦の相談を受けます。", "Hoarding and trouble with neighbours, for older people."),
            r(T::SelfRelianceSupport, "生活の立て直しを一緒に考えます。", "Rebuilding daily life together."),
            ];
            L
        }
        Worry::Disaster => {
            const L: &[Route] = &[
            GENERAL,
            HEALTH_CENTRE,
            r(T::MentalHealthCentre, "災害・事件のあとのこころのケアを担います。", "Mental-health care after disasters and incidents."),
            ];
            L
        }
        Worry::YoungCarer => {
            const L: &[Route] = &[
            r(T::ChildFamilyCentre, "家族の世話をしている子ども・若者の相談を受けます。", "Children and young people caring for family."),
            GENERAL,
            r(T::NationalLine, "子どもが話せる電話があります。", "Lines children can call."),
            ];
            L
        }
        Worry::Bereavement => {
            const L: &[Route] = &[
            MH_CENTRE,
            HEALTH_CENTRE,
            r(T::PeerFamily, "大切な人を亡くした人の分かち合いの会があります。", "Groups for the bereaved, including suicide loss."),
            ];
            L
        }
        Worry::Reentry => {
            const L: &[Route] = &[
            r(T::ReentrySupport, "刑務所などを出た人が福祉につながり、地域で暮らせるよう手伝います。", "Helps people leaving prison reach welfare and settle in the community."),
            GENERAL,
            r(T::SelfRelianceSupport, "住まいやお金など、生活の立て直しを手伝います。", "Rebuilding daily life: housing and money."),
            r(T::CoreConsultation, "福祉サービスにつなぐ相談ができます。", "Linking to welfare services."),
            ];
            L
        }
    }
}

/// National lines that fit a worry (ids of `national::lines()`), beyond the
/// crisis lines shown for everything.
pub fn national_lines(worry: Worry) -> &'static [&'static str] {
    match worry {
        Worry::Crisis | Worry::Bereavement => &["inochi-sos", "inochi-free", "inochi-navi", "yorisoi", "kokoro-unified"],
        Worry::MentalHealth | Worry::Family | Worry::Hikikomori | Worry::Addiction | Worry::Disaster | Worry::Untreated => &["kokoro-unified", "yorisoi"],
        Worry::Isolation => &["yorisoi", "inochi-free", "kokoro-unified"],
        Worry::AbuseDv => &["dv-plus", "dv-navi", "jido-189", "yorisoi"],
        Worry::Parenting => &["jido-189", "yorisoi"],
        Worry::YoungCarer => &["kodomo-sos", "childline", "yorisoi"],
        _ => &["yorisoi"],
    }
}

/// Lines shown in every search: a life in danger cannot wait for the right
/// worry to be picked.
pub const ALWAYS: [&str; 3] = ["emergency-119", "inochi-sos", "yorisoi"];

/// Why the lines of [`ALWAYS`] are there (no word on hours: see the module).
pub const ALWAYS_WHY: Label = Label::new("命の危険があるとき、死にたい気持ちのときに。", "For a life in danger or thoughts of suicide.");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::taxonomy::Level;

    #[test]
    fn every_worry_has_routes_with_reasons() {
        for w in Worry::ALL {
            let list = routes(*w);
            assert!(list.len() >= 3, "{w:?}");
            for route in list {
                assert!(!route.why.ja.is_empty() && !route.why.en.is_empty(), "{w:?} {:?}", route.window);
                assert!(!route.why.ja.contains("24時間") && !route.why.ja.contains("いつでも"), "a reason never speaks of hours: {:?}", route.why.ja);
            }
            for id in national_lines(*w) {
                assert!(super::super::national::line(id).is_some(), "{id}");
            }
        }
    }

    #[test]
    fn housing_goes_first_to_the_self_reliance_desk() {
        let first = routes(Worry::Housing)[0];
        assert_eq!(first.window, T::SelfRelianceSupport);
        assert_eq!(first.window.level(), Level::Municipal);
    }

    #[test]
    fn abuse_and_hospital_troubles_reach_the_abuse_centre_and_the_prefecture() {
        for w in [Worry::AbuseDv, Worry::Inpatient] {
            let kinds: Vec<WindowType> = routes(w).iter().map(|r| r.window).collect();
            assert!(kinds.contains(&T::AbusePrevention), "{w:?}");
            assert!(kinds.contains(&T::MentalHealthDivision), "{w:?}");
        }
        assert!(routes(Worry::AbuseDv).iter().any(|r| r.window == T::WomenSupport));
        assert_eq!(routes(Worry::Reentry)[0].window, T::ReentrySupport);
    }

    #[test]
    fn crisis_starts_with_the_emergency_centre_and_the_always_lines_exist() {
        assert_eq!(routes(Worry::Crisis)[0].window, T::PsychEmergency);
        for id in ALWAYS {
            assert!(super::super::national::line(id).is_some());
        }
    }
}
