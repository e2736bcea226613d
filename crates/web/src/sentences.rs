//! The API's own sentences (score explanations, recommendation reasons) in the person's
//! language. The matching service writes them in English with enum names (`WATER`, `PPP`);
//! here each known shape is read back into its values and written again from the
//! language's template, enum names shown by their catalogue labels. A sentence of an unknown
//! shape is shown as it came. A test feeds the matching service's real output through it.

use crate::i18n::{Lang, t};

/// (English shape, Indonesian template): `{}` captures a value; `{0}`, `{1}`… place them.
/// Longer shapes of the same start come first.
const SHAPES: &[(&str, &str)] = &[
    // Scores (crates/matching/src/score.rs).
    (
        "Strongest contribution is to {}, which the masterplan weighs {}% (top priority {}%).",
        "Kontribusi terkuat pada {0}, yang berbobot {1}% dalam masterplan (prioritas teratas {2}%).",
    ),
    (
        "Claims no contribution to the masterplan's dimensions.",
        "Tidak mengklaim kontribusi pada dimensi masterplan.",
    ),
    (
        "The project has no capex estimate to compare with the ticket range.",
        "Proyek tidak memiliki perkiraan capex untuk dibandingkan dengan rentang tiket.",
    ),
    (
        "The project has no capex estimate to compare with.",
        "Proyek tidak memiliki perkiraan capex sebagai pembanding.",
    ),
    (
        "Offers {}% of the capex estimate ({} of {}).",
        "Menawarkan {0}% dari perkiraan capex ({1} dari {2}).",
    ),
    (
        "The masterplan names no focus areas for the project's dimensions.",
        "Masterplan tidak menyebut area fokus untuk dimensi proyek.",
    ),
    (
        "The approach addresses none of the {} focus areas.",
        "Pendekatan tidak menyentuh satu pun dari {0} area fokus.",
    ),
    (
        "The approach addresses {} of {} focus areas: {}.",
        "Pendekatan menyentuh {0} dari {1} area fokus: {2}.",
    ),
    (
        "{} is a financing model the project accepts.",
        "{0} adalah model pembiayaan yang diterima proyek.",
    ),
    (
        "{} is not among the financing models the project accepts.",
        "{0} tidak termasuk model pembiayaan yang diterima proyek.",
    ),
    (
        "Delivers in {} months against {} planned.",
        "Selesai dalam {0} bulan dibanding {1} bulan yang direncanakan.",
    ),
    ("{}% local content.", "Kandungan lokal {0}%."),
    (
        "The organisation is verified by its embassy.",
        "Organisasi ini diverifikasi oleh kedutaannya.",
    ),
    (
        "The organisation is not verified.",
        "Organisasi ini belum diverifikasi.",
    ),
    // Recommendation reasons (crates/matching/src/recommend.rs).
    (
        "{} invests in {}, the project's sector.",
        "{0} berinvestasi di sektor {1}, sektor proyek ini.",
    ),
    (
        "{} is not among {}'s sectors.",
        "{0} tidak termasuk sektor {1}.",
    ),
    (
        "{} works in none of the project's dimensions ({}).",
        "{0} tidak bergerak di dimensi proyek mana pun ({1}).",
    ),
    (
        "{} works in {}, the project's dimension.",
        "{0} bergerak di {1}, dimensi proyek ini.",
    ),
    (
        "{} works in {} of the project's {} dimensions: {}.",
        "{0} bergerak di {1} dari {2} dimensi proyek: {3}.",
    ),
    (
        "Serves {}, the city's top priority at {} of the masterplan; its dimensions carry {} of the masterplan (priority fit {}).",
        "Melayani {0}, prioritas teratas kota dengan {1} dari masterplan; dimensi-dimensinya mencakup {2} dari masterplan (kecocokan prioritas {3}).",
    ),
    (
        "Serves {}, the city's top priority at {} of the masterplan (priority fit {}).",
        "Melayani {0}, prioritas teratas kota dengan {1} dari masterplan (kecocokan prioritas {2}).",
    ),
    (
        "Serves {} at {} of the masterplan, below the city's top priority {} at {}; its dimensions carry {} of the masterplan (priority fit {}).",
        "Melayani {0} dengan {1} dari masterplan, di bawah prioritas teratas kota {2} dengan {3}; dimensi-dimensinya mencakup {4} dari masterplan (kecocokan prioritas {5}).",
    ),
    (
        "Serves {} at {} of the masterplan, below the city's top priority {} at {} (priority fit {}).",
        "Melayani {0} dengan {1} dari masterplan, di bawah prioritas teratas kota {2} dengan {3} (kecocokan prioritas {4}).",
    ),
    (
        "The city's masterplan gives the project's dimensions no weight.",
        "Masterplan kota tidak memberi bobot pada dimensi proyek.",
    ),
    (
        "Capex {} is {}× below the minimum ticket of {} (ticket fit {}).",
        "Capex {0} {1}× di bawah tiket minimum {2} (kecocokan tiket {3}).",
    ),
    (
        "Capex {} is {}× above the maximum ticket of {} (ticket fit {}).",
        "Capex {0} {1}× di atas tiket maksimum {2} (kecocokan tiket {3}).",
    ),
    (
        "Capex {} is within the ticket range {}–{} (ticket fit {}, best at its middle).",
        "Capex {0} dalam rentang tiket {1}–{2} (kecocokan tiket {3}, terbaik di tengahnya).",
    ),
    (
        "Capex {} is within the ticket range (ticket fit {}).",
        "Capex {0} dalam rentang tiket (kecocokan tiket {1}).",
    ),
    (
        "Offers none of the {} financing models the project accepts.",
        "Tidak menawarkan satu pun dari {0} model pembiayaan yang diterima proyek.",
    ),
    (
        "Offers {}: {} of the {} financing models the project accepts.",
        "Menawarkan {0}: {1} dari {2} model pembiayaan yang diterima proyek.",
    ),
    (
        "Proposals are due in {} days: under a week to prepare a bid (time fit {}).",
        "Proposal harus masuk dalam {0} hari: kurang dari seminggu untuk menyiapkan penawaran (kecocokan waktu {1}).",
    ),
    (
        "Proposals are due in {} days.",
        "Proposal harus masuk dalam {0} hari.",
    ),
];

/// The values of `sentence` if it has `shape`: literal parts in order, a value between them.
fn read_back<'a>(shape: &str, sentence: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = shape.split("{}").collect();
    let mut rest = sentence.strip_prefix(parts[0])?;
    let mut values = Vec::new();
    for (i, lit) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        let at = if last {
            // The final literal ends the sentence.
            if !rest.ends_with(lit) || rest.len() < lit.len() {
                return None;
            }
            rest.len() - lit.len()
        } else {
            rest.find(lit)?
        };
        values.push(&rest[..at]);
        rest = &rest[at + lit.len()..];
    }
    rest.is_empty().then_some(values)
}

/// An enum name (or a list of them) by its catalogue label; anything else as it is.
fn label(l: Lang, value: &str) -> String {
    let one = |v: &str| -> String {
        let v = v.trim();
        let enumish = !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit());
        if enumish {
            for prefix in ["dimension", "sector", "financing"] {
                let key = format!("{prefix}.{v}");
                let s = t(l, &key);
                if s != key {
                    return s;
                }
            }
        }
        v.to_owned()
    };
    let items: Vec<&str> = value.split(", ").collect();
    if items.len() > 1 && items.iter().all(|i| one(i) != *i) {
        items.iter().map(|i| one(i)).collect::<Vec<_>>().join(", ")
    } else {
        one(value)
    }
}

/// A sentence of the API in `l`.
pub fn localize(l: Lang, sentence: &str) -> String {
    for (en, id) in SHAPES {
        let Some(values) = read_back(en, sentence) else {
            continue;
        };
        let labelled: Vec<String> = values.iter().map(|v| label(l, v)).collect();
        return match l {
            Lang::En => {
                let mut out = String::new();
                let mut it = labelled.iter();
                for (i, part) in en.split("{}").enumerate() {
                    if i > 0 {
                        out.push_str(it.next().map_or("", String::as_str));
                    }
                    out.push_str(part);
                }
                out
            }
            Lang::Id => {
                let mut out = (*id).to_owned();
                for (i, v) in labelled.iter().enumerate() {
                    out = out.replace(&format!("{{{i}}}"), v);
                }
                out
            }
        };
    }
    sentence.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_shapes_read_back_and_unknown_ones_pass_through() {
        assert_eq!(
            localize(
                Lang::Id,
                "Offers 93% of the capex estimate (USD 1.8M of 1.9M)."
            ),
            "Menawarkan 93% dari perkiraan capex (USD 1.8M dari 1.9M)."
        );
        assert_eq!(
            localize(Lang::Id, "PPP is a financing model the project accepts."),
            "Kerja sama pemerintah dan badan usaha (KPBU) adalah model pembiayaan yang diterima proyek."
        );
        assert_eq!(
            localize(
                Lang::En,
                "Delta Water invests in WATER, the project's sector."
            ),
            "Delta Water invests in Water, the project's sector."
        );
        assert_eq!(
            localize(
                Lang::Id,
                "Delta Water works in 2 of the project's 3 dimensions: LIVING, ENVIRONMENT."
            ),
            format!(
                "Delta Water bergerak di 2 dari 3 dimensi proyek: {}, {}.",
                t(Lang::Id, "dimension.LIVING"),
                t(Lang::Id, "dimension.ENVIRONMENT")
            )
        );
        assert_eq!(localize(Lang::Id, "Something new."), "Something new.");
    }

    /// Every template of the matching service's sentences, as its source writes them, has a
    /// shape here: a new or reworded sentence fails this test until it is translated.
    #[test]
    fn every_sentence_of_the_matching_service_has_a_shape() {
        let sources = [
            include_str!("../../matching/src/score.rs"),
            include_str!("../../matching/src/recommend.rs"),
        ];
        let shapes: Vec<String> = SHAPES.iter().map(|(en, _)| en.replace("{}", "")).collect();
        let mut checked = 0;
        for src in sources {
            // The sentence literals: quoted text that starts upper case or with a placeholder
            // and ends with a full stop.
            for lit in src.split('"').skip(1).step_by(2) {
                let starts =
                    lit.starts_with(|c: char| c.is_ascii_uppercase()) || lit.starts_with('{');
                if !(starts && lit.ends_with('.') && lit.contains(' ')) {
                    continue;
                }
                let bare: String = {
                    let mut out = String::new();
                    let mut depth = 0;
                    for c in lit.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            c if depth == 0 => out.push(c),
                            _ => {}
                        }
                    }
                    out
                };
                if bare.starts_with("weights must") {
                    continue;
                }
                let known = if lit.contains('{') {
                    shapes.iter().any(|s| s == &bare)
                } else {
                    // A whole sentence (a fixed one, or one a test expects): it translates.
                    localize(Lang::Id, lit) != lit
                };
                assert!(known, "no shape for the sentence {lit:?}");
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked} sentences found");
    }
}
