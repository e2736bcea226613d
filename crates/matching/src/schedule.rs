//! The match-making scheduler: places accepted meeting requests into (slot, table) pairs.
//!
//! Constraints: one meeting per side per slot; at most `tables` meetings per slot; a meeting
//! only in a slot of a session both sides attend; at most `max_meetings` per side; pinned
//! meetings stay where they are. Objective: the largest sum of match scores.
//!
//! The problem is NP-hard in general (an edge colouring with capacities), so the scheduler is a
//! heuristic in three deterministic phases:
//!
//! 1. **Greedy**: requests by score (higher first), then requester priority (1 first), then
//!    index (the caller's id order), each into the earliest slot both sides can use.
//! 2. **Ejection**: a request left out although both sides have room in their counts gets a
//!    common slot freed for it by moving the meeting(s) that block it there — the two sides'
//!    meetings in that slot, or, when the slot is full, one other meeting of the slot — to any
//!    other slot their own sides can use.
//! 3. **Exchange**: a request still left out replaces the cheapest set of unpinned meetings
//!    that stands in its way in one common slot (the blockers there, plus the lowest-scored
//!    meeting of a side at its limit), when its score is strictly larger than theirs; the
//!    displaced meetings then try phases 1 and 2 again. Every exchange raises the total, so
//!    the phase ends; it runs a bounded number of rounds.
//!
//! Every phase only adds score, so the result is never below the greedy pass alone. Tables are
//! numbered at the end: pinned meetings keep theirs, the others take the lowest free table of
//! their slot in request order.

use std::cmp::Ordering;

/// A participant (a city, or an investor organisation).
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    /// Bit per session the side attends (sessions 0..64).
    pub sessions: u64,
    pub max_meetings: u32,
}

/// An accepted request between two sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Index into [`Problem::sides`] of the requester.
    pub from: usize,
    /// Index into [`Problem::sides`] of the other side.
    pub to: usize,
    /// The pair's match score, 0..100.
    pub score: f64,
    /// The requester's priority, 1 (most wanted) .. 5.
    pub priority: u8,
    /// A meeting an organiser placed by hand: (slot, table), kept as it is.
    pub pinned: Option<(usize, u32)>,
}

/// One event's scheduling problem. Requests are given in id order: the last tie-break.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The session of each slot, slots in time order.
    pub slot_session: Vec<u8>,
    /// Meetings that can run in one slot.
    pub tables: u32,
    pub sides: Vec<Side>,
    pub requests: Vec<Request>,
}

/// Why a request was left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unplaced {
    /// The two sides attend no session in common.
    NoCommonSession,
    /// One side reached its maximum number of meetings.
    ParticipantFull,
    /// Every slot the two sides could share was taken.
    NoFreeSlot,
}

impl Unplaced {
    /// The contract's name of the reason.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCommonSession => "NO_COMMON_SESSION",
            Self::ParticipantFull => "PARTICIPANT_FULL",
            Self::NoFreeSlot => "NO_FREE_SLOT",
        }
    }
}

/// Where a request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// (slot, table), tables from 1.
    At(usize, u32),
    Left(Unplaced),
}

/// The scheduler's answer, one placement per request in the problem's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub placements: Vec<Placement>,
    pub total_score: f64,
}

const NONE: u32 = u32::MAX;
/// Greedy orders the scheduler starts from.
const STARTS: usize = 3;
/// Up to this many requests (a large embassy event has a few hundred), every start runs.
const MULTI_START_REQUESTS: usize = 2_000;
/// Rounds of the improving phases; each round visits every request and meeting once.
const ROUNDS: usize = 4;
/// Exchanges tried per request, over all rounds: keeps a national event within a second.
const BUDGET_PER_REQUEST: u64 = 64;

/// The working state: who sits where.
struct State<'a> {
    p: &'a Problem,
    slots: usize,
    /// `busy[side * slots + slot]`: the request the side meets in that slot, or NONE.
    busy: Vec<u32>,
    /// Meetings in each slot.
    load: Vec<u32>,
    /// Meetings of each side.
    count: Vec<u32>,
    slot_of: Vec<u32>,
    /// The meetings in each slot, and of each side.
    in_slot: Vec<Vec<u32>>,
    of_side: Vec<Vec<u32>>,
    /// Slots with a free table.
    open_slots: usize,
    /// Each request's position in the greedy order: later ones give way first among equals.
    rank: Vec<u32>,
    /// Slots of each session, for walking only the slots two sides share.
    session_slots: Vec<Vec<u32>>,
    /// What changed since a trial began, to take it back.
    journal: Vec<Op>,
    /// The summed score of the placed meetings.
    total: f64,
    /// Exchanges the search may still try: bounds its work on large events.
    budget: u64,
}

/// A change to the state, as the journal keeps it.
#[derive(Clone, Copy)]
enum Op {
    Placed(u32),
    Removed(u32, u32),
}

impl<'a> State<'a> {
    fn new(p: &'a Problem, order: &[usize]) -> Self {
        let slots = p.slot_session.len();
        let mut rank = vec![0; p.requests.len()];
        for (i, &r) in order.iter().enumerate() {
            rank[r] = i as u32;
        }
        let mut session_slots = vec![Vec::new(); 64];
        for (s, &sess) in p.slot_session.iter().enumerate() {
            session_slots[usize::from(sess) % 64].push(s as u32);
        }
        Self {
            p,
            slots,
            busy: vec![NONE; p.sides.len() * slots],
            load: vec![0; slots],
            count: vec![0; p.sides.len()],
            slot_of: vec![NONE; p.requests.len()],
            in_slot: vec![Vec::new(); slots],
            of_side: vec![Vec::new(); p.sides.len()],
            open_slots: if p.tables > 0 { slots } else { 0 },
            rank,
            session_slots,
            journal: Vec::new(),
            total: 0.0,
            budget: 0,
        }
    }

    fn common(&self, r: usize) -> u64 {
        let q = &self.p.requests[r];
        self.p.sides[q.from].sessions & self.p.sides[q.to].sessions
    }

    /// The slots two sides share, in time order.
    fn common_slots(&self, r: usize) -> Vec<u32> {
        let mut mask = self.common(r);
        let mut out = Vec::new();
        while mask != 0 {
            let sess = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            out.extend_from_slice(&self.session_slots[sess]);
        }
        out.sort_unstable();
        out
    }

    fn busy_at(&self, side: usize, slot: usize) -> u32 {
        self.busy[side * self.slots + slot]
    }

    fn has_room(&self, r: usize) -> bool {
        let q = &self.p.requests[r];
        self.count[q.from] < self.p.sides[q.from].max_meetings
            && self.count[q.to] < self.p.sides[q.to].max_meetings
    }

    fn fits(&self, r: usize, slot: usize) -> bool {
        let q = &self.p.requests[r];
        self.load[slot] < self.p.tables
            && self.busy_at(q.from, slot) == NONE
            && self.busy_at(q.to, slot) == NONE
    }

    fn place(&mut self, r: usize, slot: usize) {
        let q = &self.p.requests[r];
        let (a, b) = (q.from, q.to);
        self.busy[a * self.slots + slot] = r as u32;
        self.busy[b * self.slots + slot] = r as u32;
        self.load[slot] += 1;
        if self.load[slot] == self.p.tables {
            self.open_slots -= 1;
        }
        self.count[a] += 1;
        self.count[b] += 1;
        self.slot_of[r] = slot as u32;
        self.in_slot[slot].push(r as u32);
        self.of_side[a].push(r as u32);
        self.of_side[b].push(r as u32);
        self.total += q.score;
        self.journal.push(Op::Placed(r as u32));
    }

    /// Where the journal is now: what [`rollback`](Self::rollback) goes back to.
    fn mark(&self) -> usize {
        self.journal.len()
    }

    /// Takes back every change made since `mark`, newest first.
    fn rollback(&mut self, mark: usize) {
        while self.journal.len() > mark {
            let Some(op) = self.journal.pop() else { break };
            let len = self.journal.len();
            match op {
                Op::Placed(r) => self.remove(r as usize),
                Op::Removed(r, s) => self.place(r as usize, s as usize),
            }
            self.journal.truncate(len);
        }
    }

    /// Places `r` if it can: directly, by moving what blocks it, or (with `depth` left and
    /// work in the budget) by taking out the cheapest meetings in its way in one of its slots
    /// and placing those again one level down; an exchange is kept only when it raises the
    /// total.
    /// `keep` is the meeting that displaced `r`: it is not taken out in turn.
    fn try_place(&mut self, r: usize, common: &[Vec<u32>], depth: u32, keep: u32) -> bool {
        if self.insert(r, &common[r]) || self.insert_by_moving(r, &common[r]) {
            return true;
        }
        if depth == 0 {
            return false;
        }
        for &slot in &common[r] {
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
            let Some((out, cost)) = self.blockers(r, slot as usize) else {
                continue;
            };
            if out.contains(&(keep as usize)) {
                continue;
            }
            // Taking out more than comes in is worth it only if what goes out comes back.
            if depth == 1 && cost >= self.p.requests[r].score {
                continue;
            }
            let (mark, before) = (self.mark(), self.total);
            for &m in &out {
                self.remove(m);
            }
            self.place(r, slot as usize);
            for &m in &out {
                self.try_place(m, common, depth - 1, r as u32);
            }
            if self.total > before + 1e-9 {
                return true;
            }
            self.rollback(mark);
        }
        false
    }

    fn unlist(list: &mut Vec<u32>, r: usize) {
        if let Some(i) = list.iter().position(|&x| x as usize == r) {
            list.remove(i);
        }
    }

    fn remove(&mut self, r: usize) {
        let slot = self.slot_of[r] as usize;
        let q = &self.p.requests[r];
        let (a, b) = (q.from, q.to);
        self.busy[a * self.slots + slot] = NONE;
        self.busy[b * self.slots + slot] = NONE;
        if self.load[slot] == self.p.tables {
            self.open_slots += 1;
        }
        self.load[slot] -= 1;
        self.count[a] -= 1;
        self.count[b] -= 1;
        self.slot_of[r] = NONE;
        Self::unlist(&mut self.in_slot[slot], r);
        Self::unlist(&mut self.of_side[a], r);
        Self::unlist(&mut self.of_side[b], r);
        self.total -= q.score;
        self.journal.push(Op::Removed(r as u32, slot as u32));
    }

    fn is_pinned(&self, r: usize) -> bool {
        self.p.requests[r].pinned.is_some()
    }

    fn placed(&self, r: usize) -> bool {
        self.slot_of[r] != NONE
    }

    /// Phase 1 for one request: the earliest common slot that fits.
    fn insert(&mut self, r: usize, common: &[u32]) -> bool {
        if !self.has_room(r) {
            return false;
        }
        for &s in common {
            if self.fits(r, s as usize) {
                self.place(r, s as usize);
                return true;
            }
        }
        false
    }

    /// Moves an unpinned meeting to another slot its sides share; false (and unchanged) when
    /// none fits.
    fn relocate(&mut self, m: usize, avoid: usize) -> bool {
        // It needs a slot with a free table other than its own.
        let own_open = usize::from(self.load[avoid] < self.p.tables);
        if self.is_pinned(m) || self.open_slots <= own_open {
            return false;
        }
        let from = self.slot_of[m] as usize;
        self.remove(m);
        for s in self.common_slots(m) {
            let s = s as usize;
            if s != avoid && s != from && self.fits(m, s) {
                self.place(m, s);
                return true;
            }
        }
        self.place(m, from);
        false
    }

    /// Phase 2 for one request: frees a common slot by moving what blocks it there.
    fn insert_by_moving(&mut self, r: usize, common: &[u32]) -> bool {
        if !self.has_room(r) {
            return false;
        }
        let q = &self.p.requests[r];
        let (a, b) = (q.from, q.to);
        for &s in common {
            let s = s as usize;
            let mut moved: Vec<(usize, usize)> = Vec::new();
            let mut ok = true;
            for side in [a, b] {
                let m = self.busy_at(side, s);
                if m != NONE && !moved.iter().any(|&(x, _)| x == m as usize) {
                    if self.relocate(m as usize, s) {
                        moved.push((m as usize, s));
                    } else {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && self.load[s] >= self.p.tables {
                // The slot is full of other pairs: move one of them elsewhere.
                let here = self.in_slot[s].clone();
                ok = here.into_iter().any(|m| {
                    let done = self.relocate(m as usize, s);
                    if done {
                        moved.push((m as usize, s));
                    }
                    done
                });
            }
            if ok && self.fits(r, s) {
                self.place(r, s);
                return true;
            }
            // Undo, newest first, so every meeting finds its old slot free again.
            for &(m, old) in moved.iter().rev() {
                self.remove(m);
                self.place(m, old);
            }
        }
        false
    }

    /// The cheapest unpinned meetings whose removal lets `r` into slot `s`, with their
    /// summed score; None when pinned meetings stand in the way.
    fn blockers(&self, r: usize, s: usize) -> Option<(Vec<usize>, f64)> {
        let q = &self.p.requests[r];
        let mut out: Vec<usize> = Vec::new();
        for side in [q.from, q.to] {
            let m = self.busy_at(side, s);
            if m != NONE && !out.contains(&(m as usize)) {
                if self.is_pinned(m as usize) {
                    return None;
                }
                out.push(m as usize);
            }
        }
        for side in [q.from, q.to] {
            let frees = out
                .iter()
                .any(|&m| self.p.requests[m].from == side || self.p.requests[m].to == side);
            if self.count[side] >= self.p.sides[side].max_meetings && !frees {
                let cheapest = self.cheapest(&self.of_side[side], &out)?;
                out.push(cheapest);
            }
        }
        let in_slot = out
            .iter()
            .filter(|&&m| self.slot_of[m] as usize == s)
            .count() as u32;
        if self.load[s] - in_slot >= self.p.tables {
            let cheapest = self.cheapest(&self.in_slot[s], &out)?;
            out.push(cheapest);
        }
        let cost = out.iter().map(|&m| self.p.requests[m].score).sum();
        Some((out, cost))
    }

    /// The unpinned meeting of `list` not in `except` of lowest score, the latest in greedy
    /// order among equals.
    fn cheapest(&self, list: &[u32], except: &[usize]) -> Option<usize> {
        list.iter()
            .map(|&m| m as usize)
            .filter(|&m| !self.is_pinned(m) && !except.contains(&m))
            .min_by(|&x, &y| {
                let (a, b) = (&self.p.requests[x], &self.p.requests[y]);
                a.score
                    .total_cmp(&b.score)
                    .then(self.rank[y].cmp(&self.rank[x]))
            })
    }
}

/// The greedy order: score, then priority, then index.
fn order(p: &Problem) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..p.requests.len()).collect();
    idx.sort_by(|&x, &y| {
        let (a, b) = (&p.requests[x], &p.requests[y]);
        b.score
            .total_cmp(&a.score)
            .then(a.priority.cmp(&b.priority))
            .then(x.cmp(&y))
    });
    idx
}

/// Schedules with all three phases, from each of [`STARTS`] greedy orders, and keeps the best
/// (the first among equals): the score order, then two that place scarce requests earlier.
/// Events beyond [`MULTI_START_REQUESTS`] requests get the score order alone, which keeps a
/// national event within a second.
pub fn schedule(p: &Problem) -> Schedule {
    let first = order(p);
    let mut best = run(p, &first, true);
    let starts = if p.requests.len() <= MULTI_START_REQUESTS {
        STARTS
    } else {
        1
    };
    for start in 1..starts {
        let other = scarce_first(p, start);
        if other == first {
            continue;
        }
        let s = run(p, &other, true);
        if s.total_score > best.total_score + 1e-9 {
            best = s;
        }
    }
    best
}

/// Phase 1 alone: the baseline the full scheduler is measured against.
pub fn greedy(p: &Problem) -> Schedule {
    run(p, &order(p), false)
}

/// Orders that weigh a request's score against how few places it can go: by score divided by
/// (1 + its common slots) for `1`, by score divided by the smaller side's remaining
/// meetings' worth (its maxMeetings) for `2`; ties as in [`order`].
fn scarce_first(p: &Problem, kind: usize) -> Vec<usize> {
    let slots_of = |r: usize| {
        let q = &p.requests[r];
        let common = p.sides[q.from].sessions & p.sides[q.to].sessions;
        p.slot_session
            .iter()
            .filter(|&&x| common & (1 << x) != 0)
            .count() as f64
    };
    let key = |r: usize| {
        let q = &p.requests[r];
        match kind {
            1 => q.score / (1.0 + slots_of(r)),
            _ => {
                let cap = p.sides[q.from].max_meetings.min(p.sides[q.to].max_meetings);
                q.score * f64::from(cap)
            }
        }
    };
    let keys: Vec<f64> = (0..p.requests.len()).map(key).collect();
    let mut idx: Vec<usize> = (0..p.requests.len()).collect();
    idx.sort_by(|&x, &y| {
        keys[y]
            .total_cmp(&keys[x])
            .then(p.requests[y].score.total_cmp(&p.requests[x].score))
            .then(p.requests[x].priority.cmp(&p.requests[y].priority))
            .then(x.cmp(&y))
    });
    idx
}

fn run(p: &Problem, order: &[usize], improve: bool) -> Schedule {
    let order = order.to_vec();
    let mut st = State::new(p, &order);
    for (r, q) in p.requests.iter().enumerate() {
        if let Some((slot, _)) = q.pinned
            && slot < st.slots
        {
            st.place(r, slot);
        }
    }
    let common: Vec<Vec<u32>> = (0..p.requests.len()).map(|r| st.common_slots(r)).collect();
    for &r in &order {
        if !st.placed(r) {
            st.insert(r, &common[r]);
        }
    }
    if improve {
        improve_schedule(&mut st, &order, &common);
    }
    finish(&st, &common)
}

/// Phases 2 and 3, until a round changes nothing (at most [`ROUNDS`]) or the work budget
/// is spent.
fn improve_schedule(st: &mut State<'_>, order: &[usize], common: &[Vec<u32>]) {
    let p = st.p;
    st.budget = BUDGET_PER_REQUEST * p.requests.len() as u64;
    let mut of_side: Vec<Vec<usize>> = vec![Vec::new(); p.sides.len()];
    for &r in order {
        of_side[p.requests[r].from].push(r);
        of_side[p.requests[r].to].push(r);
    }
    for _ in 0..ROUNDS {
        let before = st.total;
        // Requests left out, best first, each placed by moves or a paying exchange.
        for &r in order {
            if !st.placed(r) && !common[r].is_empty() {
                st.try_place(r, common, 3, NONE);
                st.journal.clear();
            }
        }
        // One out, several in: a meeting gives way when the requests its two sides then take
        // up score more than it did. Cheapest meetings first.
        let mut placed: Vec<usize> = order
            .iter()
            .rev()
            .copied()
            .filter(|&m| st.placed(m) && !st.is_pinned(m))
            .collect();
        placed.sort_by(|&x, &y| p.requests[x].score.total_cmp(&p.requests[y].score));
        for m in placed {
            if !st.placed(m) || st.budget == 0 {
                continue;
            }
            st.budget -= 1;
            let q = &p.requests[m];
            let (mark, total) = (st.mark(), st.total);
            st.remove(m);
            for &r in of_side[q.from].iter().chain(&of_side[q.to]) {
                if r != m && !st.placed(r) {
                    st.try_place(r, common, 2, m as u32);
                }
            }
            if st.total <= total + 1e-9 {
                st.rollback(mark);
            }
            st.journal.clear();
        }
        if st.total <= before + 1e-9 {
            break;
        }
    }
}

/// Numbers the tables and says why each request left out is out.
fn finish(st: &State<'_>, common: &[Vec<u32>]) -> Schedule {
    let p = st.p;
    let mut taken: Vec<Vec<u32>> = vec![Vec::new(); st.slots];
    let mut placements = vec![Placement::Left(Unplaced::NoFreeSlot); p.requests.len()];
    for (r, q) in p.requests.iter().enumerate() {
        if let (Some((slot, table)), true) = (q.pinned, st.placed(r)) {
            taken[slot].push(table);
            placements[r] = Placement::At(slot, table);
        }
    }
    let mut total = 0.0;
    for (r, q) in p.requests.iter().enumerate() {
        if st.placed(r) {
            total += q.score;
            if q.pinned.is_some() {
                continue;
            }
            let slot = st.slot_of[r] as usize;
            let table = (1..).find(|t| !taken[slot].contains(t)).unwrap_or(1);
            taken[slot].push(table);
            placements[r] = Placement::At(slot, table);
        } else {
            placements[r] = Placement::Left(if common[r].is_empty() {
                Unplaced::NoCommonSession
            } else if !st.has_room(r) {
                Unplaced::ParticipantFull
            } else {
                Unplaced::NoFreeSlot
            });
        }
    }
    Schedule {
        placements,
        total_score: total,
    }
}

/// Orders two schedules' totals.
pub fn compare(a: &Schedule, b: &Schedule) -> Ordering {
    a.total_score.total_cmp(&b.total_score)
}
