//! A city's masterplan: weighted priorities over the six dimensions.

use crate::{Dimension, Error, Result};

/// One weighted priority of a masterplan.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub dimension: Dimension,
    pub weight: f64,
    pub focus_areas: Vec<String>,
}

/// A masterplan's content, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct MasterplanContent {
    pub period_start_year: i32,
    pub period_end_year: i32,
    pub vision: String,
    pub priorities: Vec<Priority>,
}

/// How far the weights may sum from 1.
pub const WEIGHT_TOLERANCE: f64 = 0.001;

impl MasterplanContent {
    /// Checks the rules: a sane period, one priority per dimension at most, each weight in 0..1,
    /// the weights summing to 1 ± 0.001. Priorities come back in the enum's order.
    pub fn validate(mut self) -> Result<Self> {
        if !(2000..=2100).contains(&self.period_start_year) {
            return Err(Error::validation(
                "input.periodStartYear",
                "must be between 2000 and 2100",
            ));
        }
        if self.period_end_year < self.period_start_year || self.period_end_year > 2100 {
            return Err(Error::validation(
                "input.periodEndYear",
                "must be at or after periodStartYear and at most 2100",
            ));
        }
        self.vision = self.vision.trim().to_owned();
        if self.vision.is_empty() || self.vision.chars().count() > 4000 {
            return Err(Error::validation(
                "input.vision",
                "must be 1 to 4000 characters",
            ));
        }
        if self.priorities.is_empty() {
            return Err(Error::validation(
                "input.priorities",
                "at least one priority is needed",
            ));
        }
        let mut seen = [false; 6];
        for (i, p) in self.priorities.iter_mut().enumerate() {
            if std::mem::replace(&mut seen[p.dimension.index()], true) {
                return Err(Error::validation(
                    format!("input.priorities.{i}.dimension"),
                    "each dimension may appear once",
                ));
            }
            if !p.weight.is_finite() || !(0.0..=1.0).contains(&p.weight) {
                return Err(Error::validation(
                    format!("input.priorities.{i}.weight"),
                    "must be between 0 and 1",
                ));
            }
            p.focus_areas = p
                .focus_areas
                .iter()
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect();
            if p.focus_areas.len() > 50 || p.focus_areas.iter().any(|f| f.chars().count() > 200) {
                return Err(Error::validation(
                    format!("input.priorities.{i}.focusAreas"),
                    "at most 50 focus areas of at most 200 characters",
                ));
            }
        }
        let sum: f64 = self.priorities.iter().map(|p| p.weight).sum();
        if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
            return Err(Error::validation(
                "input.priorities.weight",
                format!("weights must sum to 1 (±0.001), they sum to {sum:.4}"),
            ));
        }
        self.priorities.sort_by_key(|p| p.dimension);
        Ok(self)
    }

    /// The weight of a dimension (0 when the masterplan has no priority for it).
    pub fn weight(&self, d: Dimension) -> f64 {
        self.priorities
            .iter()
            .find(|p| p.dimension == d)
            .map_or(0.0, |p| p.weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(weights: &[(Dimension, f64)]) -> MasterplanContent {
        MasterplanContent {
            period_start_year: 2025,
            period_end_year: 2029,
            vision: "Ambon City of Music".into(),
            priorities: weights
                .iter()
                .map(|&(dimension, weight)| Priority {
                    dimension,
                    weight,
                    focus_areas: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn weights_must_sum_to_one() {
        let ok = plan(&[(Dimension::Branding, 0.6), (Dimension::Living, 0.4)]).validate();
        assert!(ok.is_ok());
        let bad = plan(&[(Dimension::Branding, 0.6), (Dimension::Living, 0.3)]).validate();
        assert!(
            matches!(bad, Err(Error::Validation { field, .. }) if field == "input.priorities.weight")
        );
    }

    #[test]
    fn a_weight_out_of_range_names_its_index() {
        let bad = plan(&[(Dimension::Branding, 1.5), (Dimension::Living, -0.5)]).validate();
        assert!(
            matches!(bad, Err(Error::Validation { field, .. }) if field == "input.priorities.0.weight")
        );
    }

    #[test]
    fn a_dimension_twice_is_refused() {
        let bad = plan(&[(Dimension::Living, 0.5), (Dimension::Living, 0.5)]).validate();
        assert!(
            matches!(bad, Err(Error::Validation { field, .. }) if field == "input.priorities.1.dimension")
        );
    }
}
