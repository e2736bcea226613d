//! Time as a dependency: services and resolvers ask a [`Clock`] instead of the system, so tests
//! can move past a deadline, a meeting's start or a retry's backoff at once instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// Where "now" comes from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, to the microsecond (what both databases store).
    fn now(&self) -> DateTime<Utc>;
}

/// A clock shared by every part of one server.
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock: production's.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// The system's clock moved forward by an offset that only grows: time keeps flowing (rows
/// written one after the other keep their order), and a test jumps ahead with [`advance`].
///
/// [`advance`]: ShiftedClock::advance
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: Mutex<Duration>,
}

impl ShiftedClock {
    /// Moves the clock forward by `by` (a negative duration is ignored: time never goes back).
    pub fn advance(&self, by: Duration) {
        if by > Duration::zero() {
            let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
            *offset += by;
        }
    }

    /// Moves the clock forward to just after `instant`, if it is not there yet.
    pub fn advance_past(&self, instant: DateTime<Utc>) {
        self.advance(instant - self.now() + Duration::milliseconds(1));
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        (Utc::now() + offset).trunc_subsecs(6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_jumps_ahead_and_never_goes_back() {
        let c = ShiftedClock::default();
        let start = c.now();
        c.advance(Duration::days(3));
        assert!(c.now() - start >= Duration::days(3));
        let later = c.now();
        c.advance(-Duration::days(10));
        assert!(c.now() >= later);
        let target = later + Duration::hours(5);
        c.advance_past(target);
        assert!(c.now() > target);
    }
}
