//! Depth-first branch-and-bound for the p-median solver ([`super`]), run when the Lagrangian
//! bound at the root leaves a gap above [`Options::gap`].
//!
//! A node opens some free sites, closes some and leaves the rest undecided. Its bound is the
//! Lagrangian relaxation of [`super`] restricted to the node: the opened sites and the
//! `k − opened` undecided sites with the most negative `ρ_j`. The multipliers start at the
//! parent's best ones (the root's from the full subgradient optimisation) and take a few
//! subgradient steps with Polyak's step towards the incumbent.
//! - **Reduced-cost fixing** (Beasley 1993, "Lagrangean heuristics for location problems",
//!   EJOR 65): with `ρ_(k)` the last chosen and `ρ_(k+1)` the first unchosen sum, opening an
//!   unchosen `j` lifts the bound to at least `L + ρ_j − ρ_(k)` and closing a chosen `j` to
//!   `L − ρ_j + ρ_(k+1)`; a site whose forced opening (closing) reaches the incumbent less
//!   the gap tolerance is closed (opened) in the node's subtree.
//! - **Branching** on the undecided chosen site with the least negative `ρ_j` (the most
//!   doubtful of the relaxed solution): the child opening it first, then the one closing it.
//! - **Incumbent**: local search from each node's best relaxed solution; a node whose relaxed
//!   solution serves every demand exactly once is solved by it.
//!
//! The search stops when the tree is exhausted (the incumbent is then optimal within the
//! gap), at [`Options::time_limit_s`], or after `5 · Options::iterations` subgradient steps
//! (times `2000 / n` when more than 2000 demands have weight: a step costs about `O(n a)`).
//! The lower bound returned is the least bound over the parts pruned or fixed and the nodes
//! left open, and never below the root's.

use super::lists::Lists;
use super::{Incumbent, Local, Relaxed, evaluate};
use crate::analysis::locate::Options;

/// Subgradient steps per node at most.
const NODE_STEPS: usize = 30;
/// Steps without a better node bound before the step factor is halved.
const NODE_STALL: usize = 3;
/// The step factor at the start of each node.
const NODE_THETA: f64 = 0.5;
/// The search's subgradient steps in all, as a multiple of [`Options::iterations`], for up to
/// `BUDGET.1` demands (with weight); with more, proportionally fewer.
const BUDGET: (usize, usize) = (5, 2000);

/// A site's state in a node (only free sites are consulted).
#[derive(Clone, Copy, PartialEq)]
enum State {
    Undecided,
    Open,
    Closed,
}

/// A node of the tree: its decisions, warm-start multipliers and a valid bound.
struct Node {
    state: Vec<State>,
    lambda: Vec<f64>,
    bound: f64,
}

/// The root: fixed and free sites, how many free sites to open, and the root's best
/// multipliers and bound.
pub(super) struct Root<'a> {
    pub(super) fixed: &'a [usize],
    pub(super) free: &'a [usize],
    pub(super) k: usize,
    pub(super) lambda: Vec<f64>,
    pub(super) bound: f64,
}

/// What became of a node.
enum Outcome {
    /// Pruned, fixed or solved: the least bound over its parts.
    Settled(f64),
    /// Out of time or budget: the node as it stands, and the least bound of the parts fixed
    /// away.
    Open(Node, f64),
    /// Branch on this site; the least bound of the parts fixed away.
    Branch(Node, usize, f64),
}

/// Branch-and-bound from the root; improves `incumbent`, returns a valid lower bound.
pub(super) fn search(
    lists: &Lists,
    local: &mut Local,
    incumbent: &mut Incumbent,
    root: Root,
    opt: &Options,
    out_of_time: &dyn Fn() -> bool,
) -> f64 {
    let steps = opt.iterations.saturating_mul(BUDGET.0) as f64;
    let mut budget = (steps * (BUDGET.1 as f64 / lists.len().max(1) as f64).min(1.0)) as usize;
    let first = Node { state: vec![State::Undecided; lists.m], lambda: root.lambda.clone(), bound: root.bound };
    let (mut stack, mut settled) = (vec![first], f64::INFINITY);
    while let Some(node) = stack.pop() {
        if node.bound >= incumbent.cost - opt.gap * incumbent.cost.abs() {
            settled = settled.min(node.bound);
            continue;
        }
        if budget == 0 || out_of_time() {
            stack.push(node);
            break;
        }
        match process(lists, local, incumbent, &root, node, opt, &mut budget, out_of_time) {
            Outcome::Settled(b) => settled = settled.min(b),
            Outcome::Open(node, fixed_away) => {
                settled = settled.min(fixed_away);
                stack.push(node);
                break;
            }
            Outcome::Branch(node, j, fixed_away) => {
                settled = settled.min(fixed_away);
                let mut closed = Node { state: node.state.clone(), lambda: node.lambda.clone(), bound: node.bound };
                closed.state[j] = State::Closed;
                let mut open = node;
                open.state[j] = State::Open;
                stack.push(closed);
                stack.push(open);
            }
        }
    }
    let open = stack.iter().map(|n| n.bound).fold(f64::INFINITY, f64::min);
    settled.min(open).max(root.bound)
}

/// Bounds one node: subgradient steps with reduced-cost fixing, then local search from the
/// relaxed solution; returns what became of it.
#[allow(clippy::too_many_arguments)]
fn process(
    lists: &Lists,
    local: &mut Local,
    incumbent: &mut Incumbent,
    root: &Root,
    mut node: Node,
    opt: &Options,
    budget: &mut usize,
    out_of_time: &dyn Fn() -> bool,
) -> Outcome {
    let cutoff = |incumbent: &Incumbent| incumbent.cost - opt.gap * incumbent.cost.abs();
    let (mut lambda, mut theta, mut since) = (node.lambda.clone(), NODE_THETA, 0);
    let (mut relaxed, mut best): (Vec<usize>, f64) = (Vec::new(), f64::NEG_INFINITY);
    let mut settled = f64::INFINITY; // parts of the node fixed away
    for _ in 0..NODE_STEPS {
        if *budget == 0 || out_of_time() {
            return Outcome::Open(node, settled);
        }
        *budget -= 1;
        let mut opened: Vec<usize> = root.fixed.to_vec();
        opened.extend(root.free.iter().filter(|&&j| node.state[j] == State::Open));
        let undecided: Vec<usize> = root.free.iter().copied().filter(|&j| node.state[j] == State::Undecided).collect();
        let Some(k) = (root.k + root.fixed.len()).checked_sub(opened.len()).filter(|&k| k <= undecided.len()) else {
            return Outcome::Settled(settled); // no solution in this node
        };
        if k == 0 || k == undecided.len() {
            // A single solution: its cost bounds the node once the incumbent has seen it.
            opened.extend(undecided.iter().take(k));
            incumbent.improve(local, opened, out_of_time);
            return Outcome::Settled(settled.min(incumbent.cost));
        }
        let Relaxed { value, g, chosen, rho, order } = evaluate(lists, &lambda, &opened, &undecided, k);
        node.bound = node.bound.max(value);
        if value > best {
            (best, since, relaxed) = (value, 0, chosen.clone());
            node.lambda.clone_from(&lambda);
        } else {
            since += 1;
            if since >= NODE_STALL {
                (theta, since) = (theta / 2.0, 0);
            }
        }
        let gg: f64 = g.iter().map(|x| x * x).sum();
        if gg == 0.0 {
            // The relaxed solution serves every demand once: optimal in the node.
            incumbent.improve(local, chosen, out_of_time);
            return Outcome::Settled(settled.min(value));
        }
        let limit = cutoff(incumbent);
        if node.bound >= limit {
            return Outcome::Settled(settled.min(node.bound));
        }
        // Reduced-cost fixing at this λ (the rounding allowance of `value` covers the sums
        // of a few more terms, but take a little more).
        let (last_in, first_out) = (rho[order[k - 1]], rho[order[k]]);
        for (t, &j) in order.iter().enumerate() {
            let (lifted, to) = if t < k {
                (value - rho[j] + first_out, State::Open)
            } else {
                (value + rho[j] - last_in, State::Closed)
            };
            let lifted = lifted - 8.0 * f64::EPSILON * (value.abs() + rho[j].abs() + last_in.abs() + first_out.abs());
            if lifted >= limit {
                node.state[j] = to;
                settled = settled.min(lifted);
            }
        }
        let step = theta * (incumbent.cost - value).max(0.0) / gg;
        lambda.iter_mut().zip(&g).for_each(|(l, d)| *l = (*l + step * d).max(0.0));
        if theta < 1e-4 {
            break;
        }
    }
    if !relaxed.is_empty() {
        incumbent.improve(local, relaxed.clone(), out_of_time);
    }
    if node.bound >= cutoff(incumbent) {
        return Outcome::Settled(settled.min(node.bound));
    }
    // Branch on the undecided chosen site with the least negative ρ at the best multipliers;
    // any undecided site if none is chosen any more (every one was fixed since).
    let undecided = |j: &usize| node.state[*j] == State::Undecided;
    let pick = relaxed.iter().rev().copied().find(undecided).or_else(|| root.free.iter().copied().find(undecided));
    match pick {
        Some(j) => Outcome::Branch(node, j, settled),
        // Every site was fixed since: the node's single solution (or none) is met at once.
        None => match process(lists, local, incumbent, root, node, opt, budget, out_of_time) {
            Outcome::Settled(b) => Outcome::Settled(settled.min(b)),
            Outcome::Branch(node, j, b) => Outcome::Branch(node, j, settled.min(b)),
            Outcome::Open(node, b) => Outcome::Open(node, settled.min(b)),
        },
    }
}
