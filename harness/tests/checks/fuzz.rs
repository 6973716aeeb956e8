//! A bounded `afc fuzz` run against the embedded reference: every generated
//! case must agree with the model of the contract. The seed is fixed, so a
//! failure here reproduces with `afc fuzz --seed 7000 --cases 30`.

use afc::fuzz::{self, Verdict};
use afc::target::{Choice, Target};

const SEED: u64 = 7000;
const CASES: usize = 30;

#[test]
fn generated_cases_agree_with_the_model_on_the_reference() {
    let target = Target::start(&Choice::default()).expect("the embedded reference starts");
    let results = fuzz::run_many(SEED, CASES, 4, &|c| fuzz::check(c, &target), &|_, _| {});
    let bad: Vec<String> = results
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Failed(_) | Verdict::Error(_)))
        .map(|(c, v)| format!("seed {}: {v:?}", c.seed))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // A fuzzer whose cases are all left open judges nothing.
    let judged = results
        .iter()
        .filter(|(_, v)| *v == Verdict::Passed)
        .count();
    assert!(
        judged >= CASES * 3 / 4,
        "only {judged} of {CASES} cases were judged"
    );
}

#[test]
fn a_seed_always_gives_the_same_case() {
    let a = fuzz::to_yaml(&fuzz::generate(42), "x").expect("plays");
    let b = fuzz::to_yaml(&fuzz::generate(42), "x").expect("plays");
    assert_eq!(a, b);
    assert_ne!(a, fuzz::to_yaml(&fuzz::generate(43), "x").expect("plays"));
}

#[test]
fn every_generated_case_loads_as_a_scenario() {
    for seed in 0..300 {
        let yaml = fuzz::to_yaml(&fuzz::generate(seed), "guards: generated").expect("plays");
        if let Err(e) = afc::scenario::parse_str("fuzz.yaml", "fuzz", &yaml) {
            panic!("seed {seed}: {e}\n{yaml}");
        }
    }
}
