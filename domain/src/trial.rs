//! The free trial: 90 days from the organisation's first install; a
//! reinstall does not restart it. WeCom's own `trail_info` wins when known.

use crate::seat::DAY;
use serde::{Deserialize, Serialize};

pub const TRIAL_SECS: u64 = 90 * DAY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    pub start: u64,
    pub end: u64,
}

impl Trial {
    /// From our first-install record, or WeCom's trial window when it gave one.
    pub fn new(first_installed_at: u64, wecom: Option<(u64, u64)>) -> Trial {
        match wecom {
            Some((start, end)) if end > start => Trial { start, end },
            _ => Trial {
                start: first_installed_at,
                end: first_installed_at + TRIAL_SECS,
            },
        }
    }

    pub fn is_active(&self, now: u64) -> bool {
        now < self.end
    }

    /// Whole days left, rounded up (0 once over).
    pub fn days_left(&self, now: u64) -> u64 {
        self.end.saturating_sub(now).div_ceil(DAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_runs_90_days_from_first_install() {
        let t = Trial::new(1_000, None);
        assert_eq!(t.end, 1_000 + 90 * DAY);
        assert!(t.is_active(1_000 + 90 * DAY - 1));
        assert!(!t.is_active(1_000 + 90 * DAY));
        assert_eq!(t.days_left(1_000), 90);
        assert_eq!(t.days_left(1_000 + 89 * DAY + 1), 1);
        assert_eq!(t.days_left(1_000 + 91 * DAY), 0);
    }

    #[test]
    fn wecoms_trial_window_wins_when_known() {
        let t = Trial::new(1_000, Some((2_000, 3_000)));
        assert_eq!((t.start, t.end), (2_000, 3_000));
        // A nonsense window is ignored.
        assert_eq!(Trial::new(1_000, Some((3_000, 2_000))).start, 1_000);
    }
}
