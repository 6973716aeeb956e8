//! Scenario steps, one file per kind: each kind is a struct that reads itself
//! from its schema-valid JSON ([`ParseStep`]) and answers what generic code
//! asks of a step ([`StepKind`]: its semantic checks, the barriers it
//! releases, whether it makes a run or restarts the control plane). The
//! runner executes each kind in `runner/steps/<kind>.rs`.
//!
//! [`Step`] is an enum with one tuple variant per kind, generated from the one
//! list in [`step_kinds!`]: an enum keeps steps `Clone`, lets the runner
//! dispatch statically to an `async fn` per kind (no boxed futures), and lets
//! the scenario layer stay below the runner (a trait object with `execute`
//! would need the runner's types here). Generic code asks through
//! [`Step::kind`]; only the generated dispatch matches on variants.
//!
//! Adding a kind `foo`: `scenario/steps/foo.rs` (the struct, `ParseStep`,
//! `StepKind`), `runner/steps/foo.rs` (`Execute`), its verb in the schema
//! (`fixtures/scenario.schema.json`, `schema::STEP_KINDS`, scenarios/README.md),
//! and its registration: a `mod`/`pub use` line here, its name in
//! [`step_kinds!`], a `mod` line in `runner/steps/mod.rs`. A kind that is
//! one agent's name (`down`, `up`, `reregister`) is an [`AgentStep`]: its file
//! names only its verb.

mod agent_step;
mod await_dispatch;
mod down;
mod follow;
mod golden;
mod release;
mod request;
mod reregister;
mod restart;
mod restart_control_plane;
mod run;
mod set_llm;
mod up;
mod wait;

pub use agent_step::{AgentStep, AgentVerb};
pub use await_dispatch::AwaitDispatch;
pub use down::{Down, DownKind};
pub use follow::Follow;
pub use golden::Golden;
pub use release::Release;
pub use request::Request;
pub use reregister::{Reregister, ReregisterKind};
pub use restart::Restart;
pub use restart_control_plane::{ControlPlaneStop, RestartControlPlane};
pub use run::{Run, RunWait};
pub use set_llm::SetLlm;
pub use up::{Up, UpKind};
pub use wait::Wait;

use serde_json::Value;

use super::build::text;
use super::load::Problems;
use super::model::Scenario;
use super::semantic::StepCheck;

/// The step kinds, in the order a step's verb is looked for (`await` before
/// `release`, which is also a field of `await`). The one place a kind is
/// registered: calls `$then!` with the list, which generates [`Step`] here
/// and the runner's dispatch there.
macro_rules! step_kinds {
    ($then:ident) => {
        $then! {
            Run, Restart, Wait, Release, AwaitDispatch, Golden, Request, Down, Up,
            Reregister, Follow, RestartControlPlane, SetLlm
        }
    };
}
pub(crate) use step_kinds;

/// What reading one step's JSON as a given kind gave.
pub(crate) enum Parsed<T> {
    /// The step's verb is not this kind's.
    Absent,
    /// It is, but it could not be built (the problem is recorded).
    Problem,
    /// The built step.
    Step(T),
}

/// How a kind reads itself from a step's schema-valid JSON.
pub(crate) trait ParseStep: Sized {
    /// The step at `ptr`, if its verb is this kind's.
    fn parse(v: &Value, ptr: &str, p: &mut Problems<'_>) -> Parsed<Self>;
}

/// What generic code asks of any step, so it never matches on kinds.
pub(crate) trait StepKind {
    /// Checks the schema cannot express: names that must refer to something
    /// declared elsewhere in the file, or created by an earlier step.
    fn check(&self, _c: &mut StepCheck<'_, '_>) {}
    /// Whether the step names the next run alias (`runN`) when it succeeds.
    fn makes_run(&self) -> bool {
        false
    }
    /// The barriers the step releases.
    fn releases(&self) -> &[String] {
        &[]
    }
    /// Whether the step stops and starts the control plane.
    fn restarts_control_plane(&self) -> bool {
        false
    }
}

macro_rules! define_steps {
    ($($kind:ident),* $(,)?) => {
        /// One scenario step: a variant per kind, each in `scenario/steps/`.
        #[derive(Clone, Debug)]
        pub enum Step {
            $(
                #[doc = concat!("A `", stringify!($kind), "` step.")]
                $kind($kind),
            )*
        }

        impl Step {
            /// The step at `ptr`, or `None` (with a problem) when it has no
            /// verb. The schema admits exactly one verb per step.
            pub(crate) fn parse(v: &Value, ptr: &str, p: &mut Problems<'_>) -> Option<Step> {
                $(
                    match <$kind as ParseStep>::parse(v, ptr, p) {
                        Parsed::Absent => {}
                        Parsed::Problem => return None,
                        Parsed::Step(s) => return Some(Step::$kind(s)),
                    }
                )*
                p.at(ptr, "a step needs exactly one verb");
                None
            }

            /// The step as its kind, to ask what generic code needs.
            pub(crate) fn kind(&self) -> &dyn StepKind {
                match self {
                    $(Step::$kind(s) => s,)*
                }
            }
        }
    };
}
step_kinds!(define_steps);

impl Scenario {
    /// Whether a step stops and starts the control plane: decided once, for
    /// the runner (fresh connections) and the suite (skip where unsupported).
    pub fn restarts_control_plane(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.value.kind().restarts_control_plane())
    }
}

/// The step's expected HTTP status, else `default`.
fn status(v: &Value, default: u16) -> u16 {
    v.get("status")
        .and_then(Value::as_u64)
        .map_or(default, |s| s as u16)
}

/// `agent.reasoner`, split at the first dot (no dot: an empty reasoner).
fn split_target(target: &Value) -> (String, String) {
    let target = text(Some(target));
    let (agent, reasoner) = target.split_once('.').unwrap_or((&target, ""));
    (agent.to_string(), reasoner.to_string())
}

/// A kind written as one name after its verb (`down: a`, `follow: run1`).
fn named<T>(v: &Value, verb: &str, make: impl FnOnce(String) -> T) -> Parsed<T> {
    match v.get(verb) {
        Some(name) => Parsed::Step(make(text(Some(name)))),
        None => Parsed::Absent,
    }
}

/// The step's `expect:` when it is a terminal status.
fn expect(v: &Value) -> Option<String> {
    v.get("expect").and_then(Value::as_str).map(str::to_string)
}
