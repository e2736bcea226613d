//! Commitments: the SHA-256 a bidder's sealed content is bound to, in DESIGN.md's byte layout.

use sha2::{Digest, Sha256};

use crate::{Dimension, proposal::ProposalContent};

/// The canonical text a commitment hashes.
pub fn canonical_text(salt_hex: &str, content: &ProposalContent) -> String {
    let mut lines = vec![
        salt_hex.to_owned(),
        "v1".to_owned(),
        format!("amount:{}", content.amount.plain_amount()),
        format!("currency:{}", content.amount.currency()),
        format!("financing:{}", content.financing_model),
        format!("timeline:{}", content.timeline_months),
        format!("local:{:.2}", content.local_content_percent),
    ];
    for d in Dimension::ALL {
        if let Some((_, s)) = content.contributions.iter().find(|(cd, _)| cd == d) {
            lines.push(format!("contrib:{d}={s:.4}"));
        }
    }
    lines.push(format!("approach:{}", content.approach));
    lines.join("\n")
}

/// The lowercase hex SHA-256 of the canonical text.
pub fn commitment(salt_hex: &str, content: &ProposalContent) -> String {
    hex::encode(Sha256::digest(canonical_text(salt_hex, content).as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::*;
    use crate::{FinancingModel, Money};

    #[test]
    fn the_layout_matches_the_design() {
        let content = ProposalContent {
            amount: Money::new(Decimal::from_str("4400000.50").expect("d"), "usd", "a").expect("m"),
            financing_model: FinancingModel::Ppp,
            timeline_months: 18,
            approach: "Line one\nline two".into(),
            contributions: vec![(Dimension::Branding, 0.8), (Dimension::Environment, 0.25)],
            local_content_percent: Decimal::from_str("30").expect("d"),
        };
        let salt = "ab".repeat(32);
        let text = canonical_text(&salt, &content);
        assert_eq!(
            text,
            format!(
                "{salt}\nv1\namount:4400000.5\ncurrency:USD\nfinancing:PPP\ntimeline:18\nlocal:30.00\n\
                 contrib:BRANDING=0.8000\ncontrib:ENVIRONMENT=0.2500\napproach:Line one\nline two"
            )
        );
        assert_eq!(commitment(&salt, &content).len(), 64);
    }
}
