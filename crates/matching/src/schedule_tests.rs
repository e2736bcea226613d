//! The scheduler against exact optima and its own rules, on random instances.
//!
//! The optimum is a branch and bound written here, over the requests: each one goes into one
//! of its feasible slots or is left out, pruned by the sum of the scores still to come.
//! The checks of the rules read only the placements, not the scheduler's state.

use proptest::prelude::*;

use crate::schedule::{Placement, Problem, Request, Side, Unplaced, greedy, schedule};

/// xorshift: every run draws the same instances.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A small instance: ≤ 10 participants, ≤ 6 slots in ≤ 3 sessions, ≤ 2 tables, ≤ 18
/// requests between distinct city–investor pairs.
fn small(seed: u64) -> Problem {
    let mut r = Rng::new(seed);
    let sessions = 1 + r.below(3) as u8;
    let slots = (sessions as u64 + r.below(7 - sessions as u64)) as usize;
    let slot_session: Vec<u8> = (0..slots)
        .map(|s| ((s * sessions as usize) / slots) as u8)
        .collect();
    let cities = 1 + r.below(5) as usize;
    let investors = 1 + r.below(5) as usize;
    let sides: Vec<Side> = (0..cities + investors)
        .map(|_| Side {
            sessions: 1 + r.below((1 << sessions) - 1),
            max_meetings: 1 + r.below(6) as u32,
        })
        .collect();
    let mut pairs: Vec<(usize, usize)> = (0..cities)
        .flat_map(|c| (0..investors).map(move |i| (c, cities + i)))
        .collect();
    let want = 1 + r.below(18) as usize;
    let mut requests = Vec::new();
    while requests.len() < want && !pairs.is_empty() {
        let (c, i) = pairs.swap_remove(r.below(pairs.len() as u64) as usize);
        let (from, to) = if r.below(2) == 0 { (c, i) } else { (i, c) };
        requests.push(Request {
            from,
            to,
            score: (r.below(1000) as f64) / 10.0,
            priority: 1 + r.below(5) as u8,
            pinned: None,
        });
    }
    Problem {
        slot_session,
        tables: 1 + r.below(2) as u32,
        sides,
        requests,
    }
}

/// The best total any schedule can reach.
fn optimum(p: &Problem, start: f64) -> f64 {
    let slots = p.slot_session.len();
    let mut order: Vec<usize> = (0..p.requests.len()).collect();
    order.sort_by(|&a, &b| p.requests[b].score.total_cmp(&p.requests[a].score));
    let mut suffix = vec![0.0; order.len() + 1];
    for i in (0..order.len()).rev() {
        suffix[i] = suffix[i + 1] + p.requests[order[i]].score;
    }
    struct S<'a> {
        p: &'a Problem,
        order: Vec<usize>,
        suffix: Vec<f64>,
        busy: Vec<bool>,
        load: Vec<u32>,
        count: Vec<u32>,
        best: f64,
        slots: usize,
    }
    fn go(s: &mut S<'_>, i: usize, cur: f64) {
        if cur > s.best {
            s.best = cur;
        }
        if i == s.order.len() || cur + s.suffix[i] <= s.best + 1e-9 {
            return;
        }
        let r = s.order[i];
        let q = &s.p.requests[r];
        let (a, b) = (q.from, q.to);
        let common = s.p.sides[a].sessions & s.p.sides[b].sessions;
        if s.count[a] < s.p.sides[a].max_meetings && s.count[b] < s.p.sides[b].max_meetings {
            for slot in 0..s.slots {
                let sess = s.p.slot_session[slot];
                if common & (1 << sess) == 0
                    || s.load[slot] >= s.p.tables
                    || s.busy[a * s.slots + slot]
                    || s.busy[b * s.slots + slot]
                {
                    continue;
                }
                s.busy[a * s.slots + slot] = true;
                s.busy[b * s.slots + slot] = true;
                s.load[slot] += 1;
                s.count[a] += 1;
                s.count[b] += 1;
                go(s, i + 1, cur + q.score);
                s.busy[a * s.slots + slot] = false;
                s.busy[b * s.slots + slot] = false;
                s.load[slot] -= 1;
                s.count[a] -= 1;
                s.count[b] -= 1;
            }
        }
        go(s, i + 1, cur);
    }
    let mut s = S {
        p,
        order,
        suffix,
        busy: vec![false; p.sides.len() * slots],
        load: vec![0; slots],
        count: vec![0; p.sides.len()],
        best: start,
        slots,
    };
    go(&mut s, 0, 0.0);
    s.best
}

/// Every rule of a schedule, checked from its placements alone.
fn check_rules(p: &Problem, placements: &[Placement]) -> Result<(), String> {
    let slots = p.slot_session.len();
    let mut seen_side_slot = std::collections::HashSet::new();
    let mut seen_table = std::collections::HashSet::new();
    let mut per_slot = vec![0u32; slots];
    let mut per_side = vec![0u32; p.sides.len()];
    for (r, pl) in placements.iter().enumerate() {
        let q = &p.requests[r];
        let Placement::At(slot, table) = *pl else {
            continue;
        };
        if slot >= slots {
            return Err(format!("request {r} in slot {slot} of {slots}"));
        }
        let sess = p.slot_session[slot];
        for side in [q.from, q.to] {
            if p.sides[side].sessions & (1 << sess) == 0 {
                return Err(format!(
                    "request {r}: side {side} does not attend session {sess}"
                ));
            }
            if !seen_side_slot.insert((side, slot)) {
                return Err(format!("side {side} twice in slot {slot}"));
            }
            per_side[side] += 1;
        }
        if table < 1 || table > p.tables || !seen_table.insert((slot, table)) {
            return Err(format!("request {r}: table {table} in slot {slot}"));
        }
        per_slot[slot] += 1;
        if let Some(pin) = q.pinned
            && pin != (slot, table)
        {
            return Err(format!("pinned request {r} moved from {pin:?}"));
        }
    }
    for (side, n) in per_side.iter().enumerate() {
        if *n > p.sides[side].max_meetings {
            return Err(format!("side {side} has {n} meetings"));
        }
    }
    if per_slot.iter().any(|&n| n > p.tables) {
        return Err("a slot over its tables".into());
    }
    Ok(())
}

/// A request left NO_FREE_SLOT that fits a common slot directly, or after moving one unpinned
/// meeting that blocks it there to a slot where that meeting fits.
fn simple_swap_left_out(p: &Problem, placements: &[Placement]) -> Option<usize> {
    let slots = p.slot_session.len();
    let at = |r: usize| match placements[r] {
        Placement::At(s, _) => Some(s),
        Placement::Left(_) => None,
    };
    let meeting_of = |side: usize, slot: usize| {
        (0..p.requests.len()).find(|&m| {
            at(m) == Some(slot) && (p.requests[m].from == side || p.requests[m].to == side)
        })
    };
    let load = |slot: usize| {
        (0..p.requests.len())
            .filter(|&m| at(m) == Some(slot))
            .count() as u32
    };
    let usable = |r: usize, slot: usize| {
        let q = &p.requests[r];
        let sess = 1 << p.slot_session[slot];
        p.sides[q.from].sessions & p.sides[q.to].sessions & sess != 0
    };
    // Whether meeting m fits in slot s once it has left its own.
    let fits_elsewhere = |m: usize, s: usize| {
        let q = &p.requests[m];
        q.pinned.is_none()
            && at(m) != Some(s)
            && usable(m, s)
            && load(s) < p.tables
            && meeting_of(q.from, s).is_none()
            && meeting_of(q.to, s).is_none()
    };
    for (r, pl) in placements.iter().enumerate() {
        if *pl != Placement::Left(Unplaced::NoFreeSlot) {
            continue;
        }
        let q = &p.requests[r];
        for s in (0..slots).filter(|&s| usable(r, s)) {
            let blockers: Vec<usize> = [meeting_of(q.from, s), meeting_of(q.to, s)]
                .into_iter()
                .flatten()
                .collect();
            let full = load(s) >= p.tables;
            if blockers.is_empty() && !full {
                return Some(r);
            }
            if blockers.len() == 1 {
                let m = blockers[0];
                if (0..slots).any(|t| t != s && fits_elsewhere(m, t)) {
                    return Some(r);
                }
            }
            if blockers.is_empty()
                && full
                && (0..p.requests.len())
                    .filter(|&m| at(m) == Some(s))
                    .any(|m| (0..slots).any(|t| t != s && fits_elsewhere(m, t)))
            {
                return Some(r);
            }
        }
    }
    None
}

/// Pins a part of a schedule (every third meeting), as an organiser's moves would.
fn with_pins(mut p: Problem) -> Problem {
    let s = schedule(&p);
    for (i, pl) in s.placements.iter().enumerate() {
        if let Placement::At(slot, table) = *pl
            && i % 3 == 0
        {
            p.requests[i].pinned = Some((slot, table));
        }
    }
    p
}

#[test]
fn on_a_thousand_small_instances_the_scheduler_is_within_three_percent_of_the_optimum() {
    let (mut got, mut best, mut base) = (0.0, 0.0, 0.0);
    let mut worst: (f64, u64) = (1.0, 0);
    for seed in 0..1000 {
        let p = small(seed);
        let s = schedule(&p);
        let g = greedy(&p);
        let opt = optimum(&p, s.total_score);
        assert!(
            s.total_score + 1e-9 >= g.total_score,
            "seed {seed}: {} below greedy {}",
            s.total_score,
            g.total_score
        );
        assert!(
            s.total_score <= opt + 1e-9,
            "seed {seed}: above the optimum"
        );
        if opt > 0.0 && s.total_score / opt < worst.0 {
            worst = (s.total_score / opt, seed);
        }
        got += s.total_score;
        best += opt;
        base += g.total_score;
    }
    println!(
        "scheduler {:.2}% of optimum (greedy {:.2}%), worst instance {:.1}% (seed {})",
        100.0 * got / best,
        100.0 * base / best,
        100.0 * worst.0,
        worst.1
    );
    assert!(got >= 0.97 * best, "{got} of {best}");
    assert!(worst.0 >= 0.90, "seed {} at {:.3}", worst.1, worst.0);
}

#[test]
fn reasons_say_what_stopped_a_request() {
    // Two sides with no session in common; a side at its limit; a slot with one table.
    let p = Problem {
        slot_session: vec![0, 1],
        tables: 1,
        sides: vec![
            Side {
                sessions: 0b01,
                max_meetings: 5,
            },
            Side {
                sessions: 0b10,
                max_meetings: 5,
            },
            Side {
                sessions: 0b01,
                max_meetings: 1,
            },
            Side {
                sessions: 0b01,
                max_meetings: 5,
            },
        ],
        requests: vec![
            Request {
                from: 0,
                to: 1,
                score: 90.0,
                priority: 1,
                pinned: None,
            },
            Request {
                from: 2,
                to: 3,
                score: 80.0,
                priority: 1,
                pinned: None,
            },
            Request {
                from: 2,
                to: 0,
                score: 70.0,
                priority: 1,
                pinned: None,
            },
            Request {
                from: 3,
                to: 0,
                score: 60.0,
                priority: 1,
                pinned: None,
            },
        ],
    };
    let s = schedule(&p);
    assert_eq!(s.placements[0], Placement::Left(Unplaced::NoCommonSession));
    assert_eq!(s.placements[1], Placement::At(0, 1));
    assert_eq!(s.placements[2], Placement::Left(Unplaced::ParticipantFull));
    assert_eq!(s.placements[3], Placement::Left(Unplaced::NoFreeSlot));
    assert_eq!(s.total_score, 80.0);
}

#[test]
fn a_blocking_meeting_moves_to_let_a_request_in() {
    // Side 0 attends both sessions, side 2 only the first: greedy puts 0–1 first into slot 0,
    // which blocks 0–2; moving 0–1 to slot 1 places both.
    let p = Problem {
        slot_session: vec![0, 1],
        tables: 2,
        sides: vec![
            Side {
                sessions: 0b11,
                max_meetings: 5,
            },
            Side {
                sessions: 0b11,
                max_meetings: 5,
            },
            Side {
                sessions: 0b01,
                max_meetings: 5,
            },
        ],
        requests: vec![
            Request {
                from: 0,
                to: 1,
                score: 90.0,
                priority: 1,
                pinned: None,
            },
            Request {
                from: 2,
                to: 0,
                score: 50.0,
                priority: 1,
                pinned: None,
            },
        ],
    };
    assert_eq!(greedy(&p).total_score, 90.0);
    let s = schedule(&p);
    assert_eq!(s.placements, vec![Placement::At(1, 1), Placement::At(0, 1)]);
}

#[test]
fn equal_scores_go_to_the_higher_priority_first() {
    let p = Problem {
        slot_session: vec![0],
        tables: 1,
        sides: vec![
            Side {
                sessions: 1,
                max_meetings: 1,
            },
            Side {
                sessions: 1,
                max_meetings: 1,
            },
            Side {
                sessions: 1,
                max_meetings: 1,
            },
        ],
        requests: vec![
            Request {
                from: 1,
                to: 0,
                score: 50.0,
                priority: 4,
                pinned: None,
            },
            Request {
                from: 2,
                to: 0,
                score: 50.0,
                priority: 1,
                pinned: None,
            },
        ],
    };
    let s = schedule(&p);
    assert_eq!(s.placements[1], Placement::At(0, 1));
    assert_eq!(s.placements[0], Placement::Left(Unplaced::ParticipantFull));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_rule_is_ever_broken_and_pins_stay(seed in any::<u64>(), pin in any::<bool>()) {
        let p = if pin { with_pins(small(seed)) } else { small(seed) };
        let s = schedule(&p);
        prop_assert_eq!(check_rules(&p, &s.placements), Ok(()));
        let total: f64 = s.placements.iter().enumerate()
            .filter(|(_, pl)| matches!(pl, Placement::At(..)))
            .map(|(r, _)| p.requests[r].score)
            .sum();
        prop_assert!((total - s.total_score).abs() < 1e-6);
    }

    #[test]
    fn the_same_problem_gets_the_same_schedule(seed in any::<u64>()) {
        let p = with_pins(small(seed));
        prop_assert_eq!(schedule(&p), schedule(&p.clone()));
    }

    #[test]
    fn no_request_is_left_for_want_of_a_slot_that_one_move_would_free(seed in any::<u64>(), pin in any::<bool>()) {
        let p = if pin { with_pins(small(seed)) } else { small(seed) };
        let s = schedule(&p);
        prop_assert_eq!(simple_swap_left_out(&p, &s.placements), None);
    }

    #[test]
    fn reasons_are_true(seed in any::<u64>()) {
        let p = small(seed);
        let s = schedule(&p);
        let mut count = vec![0u32; p.sides.len()];
        for (r, pl) in s.placements.iter().enumerate() {
            if matches!(pl, Placement::At(..)) {
                count[p.requests[r].from] += 1;
                count[p.requests[r].to] += 1;
            }
        }
        for (r, pl) in s.placements.iter().enumerate() {
            let q = &p.requests[r];
            let common = p.sides[q.from].sessions & p.sides[q.to].sessions;
            let has_slot = p.slot_session.iter().any(|&x| common & (1 << x) != 0);
            let full = count[q.from] >= p.sides[q.from].max_meetings
                || count[q.to] >= p.sides[q.to].max_meetings;
            match pl {
                Placement::Left(Unplaced::NoCommonSession) => prop_assert!(!has_slot),
                Placement::Left(Unplaced::ParticipantFull) => prop_assert!(has_slot && full),
                Placement::Left(Unplaced::NoFreeSlot) => prop_assert!(has_slot && !full),
                Placement::At(..) => {}
            }
        }
    }
}
