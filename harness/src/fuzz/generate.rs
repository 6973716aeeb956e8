//! The seeded generator. A seed gives one case, always the same one:
//! a call graph (depth ≤ 4, fan-out ≤ 4, sequential and parallel groups,
//! leaves called repeatedly with inputs drawn from a small pool so that replay
//! keys collide, differ, and collide through canonically equal spellings), at
//! most one fault (a raise, a 5xx, a failure callback from the async agent,
//! an LLM 500 or 429), then restarts and forks over scope × reuse × fork ×
//! new input/context (of restarts too, from failed and succeeded rows, with an
//! agent down), golden saves on every run, and raw execute requests with
//! replay headers, sync and async, with and without a context.
//!
//! Steps that name executions are drawn from the model's state after the
//! previous steps, so every alias they use exists when they run.
//!
//! The random source is SplitMix64, kept here (ten lines) rather than `rand`:
//! a seed must give the same case across dependency upgrades, and `rand`
//! documents no such stability for its generators.

use serde_json::{json, Value};

use super::case::{
    Agent, CallSpec, Callee, Case, CaseStep, Leaf, Node, Op, RawRequest, RestartPlan, Stub,
};
use super::draw_held::HeldRuns;
use super::model::{Answer, Status, World};

/// SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    /// One of `xs`, uniformly (`xs` is never empty).
    pub fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }
}

/// Leaf inputs: equal keys (`{k:1}` twice), canonically equal spellings
/// (`1` / `1.0`, key order), different values, and the caller's own `v`.
fn leaf_input(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!({"k": 1}),
        json!({"k": 1.0}),
        json!({"k": 2}),
        json!({"k": "$input.v"}),
        json!({"k": 1, "j": "x"}),
        json!({"j": "x", "k": 1}),
    ])
}

/// The case for `seed`.
pub fn generate(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let mut case = graph(&mut rng, seed);
    let mut world = World::default();
    let root_input = json!({"v": rng.pick(&[json!(1), json!(2), json!("w")])});
    let context = rng
        .chance(30)
        .then(|| rng.pick(&[json!({"t": 1}), json!({}), json!({"provider": "x"})]));
    push(
        &mut case,
        &mut world,
        CaseStep::Run {
            input: root_input,
            context,
        },
    );
    let mut held = HeldRuns::draw(&mut rng);
    let restarts = 1 + rng.below(3);
    for _ in 0..restarts {
        held.step(&mut rng, &mut case, &mut world);
        let down = case.nodes.iter().any(|n| n.agent == Agent::B) && rng.chance(15);
        if down {
            push(&mut case, &mut world, CaseStep::Down(Agent::B));
        }
        // A plan whose outcome the clock would decide is redrawn (a few times).
        let mut plan = restart_plan(&mut rng, &world);
        for _ in 0..4 {
            let mut probe = world.clone();
            let n = case.steps.len() + 1;
            let step = CaseStep::Restart(plan.clone());
            if probe.apply(&case, n, &step).is_ok() && super::open_reason(&probe).is_none() {
                break;
            }
            plan = restart_plan(&mut rng, &world);
        }
        push(&mut case, &mut world, CaseStep::Restart(plan));
        if down {
            push(&mut case, &mut world, CaseStep::Up(Agent::B));
        }
        if rng.chance(30) {
            let run = format!("run{}", 1 + rng.below(world.runs.len()));
            push(&mut case, &mut world, CaseStep::Golden(run));
        }
    }
    for _ in 0..rng.below(4) {
        if let Some(raw) = raw_request(&mut rng, &case, &world) {
            push(&mut case, &mut world, CaseStep::Raw(raw));
        }
    }
    held.finish(&mut rng, &mut case, &mut world);
    case
}

/// The runs of the graph: only `draw_held` restarts or forks a held run (its
/// new root holds again, so nothing waits for its end); no raw request
/// attaches to one or replays from one.
fn graph_runs(world: &World) -> Vec<usize> {
    (0..world.runs.len())
        .filter(|&r| !world.runs[r].held)
        .collect()
}

pub(super) fn push(case: &mut Case, world: &mut World, step: CaseStep) {
    let n = case.steps.len() + 1;
    if world.apply(case, n, &step).is_ok() {
        case.steps.push(step);
    } else {
        // Only a model defect gets here; the step is dropped, never guessed.
        world.answers.truncate(n - 1);
    }
}

fn graph(rng: &mut Rng, seed: u64) -> Case {
    let n_nodes = 1 + rng.below(5);
    let mut depth = vec![0usize];
    let mut parent_of = vec![usize::MAX];
    for i in 1..n_nodes {
        // Nodes sit at depth ≤ 3, so a leaf under them is at depth ≤ 4.
        let eligible: Vec<usize> = (0..i).filter(|&p| depth[p] < 3).collect();
        let p = rng.pick(&eligible);
        depth.push(depth[p] + 1);
        parent_of.push(p);
    }
    let leaves: Vec<Leaf> = (0..1 + rng.below(2))
        .map(|_| Leaf {
            agent: if rng.chance(25) { Agent::B } else { Agent::A },
        })
        .collect();
    let mut nodes: Vec<Node> = (0..n_nodes)
        .map(|i| Node {
            agent: if i > 0 && rng.chance(20) {
                Agent::B
            } else {
                Agent::A
            },
            ops: Vec::new(),
        })
        .collect();
    for (i, node) in nodes.iter_mut().enumerate() {
        let mut calls: Vec<CallSpec> = (0..n_nodes)
            .filter(|&c| parent_of[c] == i)
            .map(|c| CallSpec {
                callee: Callee::Node(c),
                input: if rng.chance(60) {
                    json!({"v": "$input.v", "c": c})
                } else {
                    json!({"c": c})
                },
            })
            .collect();
        let fan_out = 4usize.saturating_sub(calls.len());
        for _ in 0..rng.below(fan_out.min(3) + 1) {
            calls.push(CallSpec {
                callee: Callee::Leaf(rng.below(leaves.len())),
                input: leaf_input(rng),
            });
        }
        // Shuffle, then cut into sequential calls and parallel groups.
        for k in (1..calls.len()).rev() {
            calls.swap(k, rng.below(k + 1));
        }
        let mut rest = calls.as_slice();
        while !rest.is_empty() {
            let take = if rest.len() > 1 && rng.chance(35) {
                2 + rng.below(rest.len() - 1)
            } else {
                1
            };
            // A parallel group calls each leaf once: two concurrent calls of one
            // leaf could only be told apart by the clock.
            let mut take = take.min(rest.len());
            while take > 1 && !distinct_leaves(&rest[..take]) {
                take -= 1;
            }
            let (group, tail) = rest.split_at(take);
            node.ops.push(match group {
                [one] => Op::Call(one.clone()),
                many => Op::Par(many.to_vec()),
            });
            rest = tail;
        }
    }
    let mut stubs = Vec::new();
    if n_nodes > 1 && rng.chance(75) {
        let at = 1 + rng.below(n_nodes - 1);
        let fault = match rng.below(4) {
            0 => Op::Fail(500),
            1 => Op::Fail(rng.pick(&[502, 503])),
            2 => {
                stubs.push(Stub {
                    status: rng.pick(&[500, 429]),
                });
                Op::Llm(0)
            }
            _ => {
                nodes[at].agent = Agent::B; // a failure callback
                Op::Fail(500)
            }
        };
        let pos = rng.below(nodes[at].ops.len() + 1);
        nodes[at].ops.insert(pos, fault);
    }
    Case {
        seed,
        nodes,
        leaves,
        stubs,
        steps: Vec::new(),
    }
}

fn distinct_leaves(calls: &[CallSpec]) -> bool {
    let leaves: Vec<usize> = calls
        .iter()
        .filter_map(|c| match c.callee {
            Callee::Leaf(l) => Some(l),
            Callee::Node(_) => None,
        })
        .collect();
    let mut unique = leaves.clone();
    unique.sort_unstable();
    unique.dedup();
    unique.len() == leaves.len()
}

fn exec_aliases(world: &World, run: usize) -> Vec<(usize, String)> {
    super::alias::aliases(world, run)
}

fn restart_plan(rng: &mut Rng, world: &World) -> RestartPlan {
    let run = rng.pick(&graph_runs(world));
    let execs = exec_aliases(world, run);
    let failed: Vec<&(usize, String)> = execs
        .iter()
        .filter(|(i, _)| world.execs[*i].status == Status::Failed)
        .collect();
    let from = if !failed.is_empty() && rng.chance(60) {
        rng.pick(&failed).1.clone()
    } else {
        rng.pick(&execs).1
    };
    // §1.2 boundaries: absent, blank, padded; §2.3: overrides with the
    // stored key, another key (a merge would keep `v`), `{}` and null.
    let input = match rng.below(14) {
        0 => Some(json!({"v": 2})),
        1 => Some(json!({"v": 1.0})),
        2 => Some(Value::Null),
        3 => Some(json!({"w": 3})),
        4 => Some(json!({})),
        _ => None,
    };
    let context = match rng.below(12) {
        0 => Some(json!({"t": 2})),
        1 => Some(json!({})),
        2 => Some(json!({"u": 1})),
        3 => Some(Value::Null),
        _ => None,
    };
    RestartPlan {
        from,
        scope: scope_value(rng),
        reuse: reuse_value(rng),
        fork: rng.chance(20),
        input,
        context,
    }
}

fn raw_request(rng: &mut Rng, case: &Case, world: &World) -> Option<RawRequest> {
    // A run to attach to, a parent in it, and a row of some run to aim at.
    let runs = graph_runs(world);
    let run = rng.pick(&runs);
    let parents = exec_aliases(world, run);
    let parent = rng.pick(&parents).1;
    let source = rng.pick(&runs);
    let targets = exec_aliases(world, source);
    let (aim, aim_alias) = rng.pick(&targets);
    let e = &world.execs[aim];
    let input = match rng.below(5) {
        0 => respell(&e.input),
        1 => json!({"k": 9}),
        _ => e.input.clone(),
    };
    let context = match rng.below(6) {
        0 => Some(json!({})),
        1 => Some(json!({"t": 1})),
        2 => e.context.clone(),
        _ => None,
    };
    let mode = rng.pick(&[
        None,
        Some("succeeded-before"),
        Some("all-succeeded"),
        Some("none"),
    ]);
    let mut raw = RawRequest {
        agent: e.agent,
        reasoner: e.reasoner.clone(),
        run: format!("run{}", run + 1),
        parent,
        source: rng.chance(85).then(|| format!("run{}", source + 1)),
        before: rng.chance(40).then(|| aim_alias.clone()),
        mode: mode.map(str::to_string),
        input,
        context,
        sync: true,
    };
    // Only requests the model can follow: a sync miss must succeed (a failed
    // one is answered without ids), and async is used only for hits.
    let mut probe = world.clone();
    probe
        .apply(case, case.steps.len() + 1, &CaseStep::Raw(raw.clone()))
        .ok()?;
    match probe.answers.last() {
        Some(Answer::Raw { hit, .. }) if !hit.is_empty() => raw.sync = rng.chance(50),
        Some(Answer::Raw { code: 200, .. }) => {}
        _ => return None,
    }
    probe.open.is_empty().then_some(raw)
}

/// A restart's `scope` (contract §1.2): absent, blank, each value, padded.
pub fn scope_value(rng: &mut Rng) -> Option<String> {
    let v = rng.pick(&[
        "-",
        "",
        "workflow",
        "execution",
        " execution\t",
        "  workflow ",
    ]);
    (v != "-").then(|| v.to_string())
}

/// A restart's `reuse` (contract §1.2): absent, blank, each value, padded.
pub fn reuse_value(rng: &mut Rng) -> Option<String> {
    let v = rng.pick(&[
        "-",
        "   ",
        "succeeded-before",
        "all-succeeded",
        "none",
        " none ",
        "\tall-succeeded\n",
    ]);
    (v != "-").then(|| v.to_string())
}

/// The same JSON, spelled differently: integers as floats, keys reversed.
fn respell(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .rev()
                .map(|(k, x)| (k.clone(), respell(x)))
                .collect(),
        ),
        Value::Number(n) if n.is_i64() => json!(n.as_f64().unwrap_or(0.0)),
        other => other.clone(),
    }
}
