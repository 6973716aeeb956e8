use serde_json::json;

use super::*;

#[test]
fn a_fixed_text_is_exact_a_prefix_shows_its_start_and_free_text_its_strength() {
    let al = Aliases::default();
    let f = |v| field(Tier::Contract, &ANSWER[17], &json!({ "error": v }), &al);
    assert_eq!(ANSWER[17].name, "error");
    assert_eq!(
        f("execution run1/a.b not found"),
        Some(json!("execution run1/a.b not found"))
    );
    assert_eq!(
        f("invalid request body: EOF"),
        Some(json!("<prefix \"invalid request body: \">"))
    );
    assert_eq!(
        f("agent error (500): Internal Server Error"),
        Some(json!("<prefix \"agent error (500): \">"))
    );
    assert_eq!(
        f("json: cannot unmarshal array"),
        Some(json!("<non-empty>"))
    );
    assert_eq!(f(""), Some(json!("")));
    // The fidelity tier shows every text as it is.
    let exact = field(Tier::Fidelity, &ANSWER[17], &json!({"error": "EOF"}), &al);
    assert_eq!(exact, Some(json!("EOF")));
}

#[test]
fn lineage_shows_its_six_keys_in_order_and_never_an_unknown_one() {
    let al = Aliases::default();
    let lin = json!({"scope": "workflow", "restarted_as": {"run_id": "r"}, "kind": "restart",
        "reuse": "none", "extra": 1, "source_run_id": "a", "source_execution_id": "b",
        "restarted_execution_id": "c"});
    for tier in [Tier::Contract, Tier::Fidelity] {
        let shown = object(tier, LINEAGE, &lin, &al);
        let keys: Vec<&String> = shown.as_object().expect("object").keys().collect();
        let want = [
            "kind",
            "source_run_id",
            "source_execution_id",
            "restarted_execution_id",
        ];
        assert_eq!(keys[..4], want.iter().collect::<Vec<_>>()[..]);
        assert!(!keys.iter().any(|k| *k == "extra"));
    }
    let contract = object(Tier::Contract, LINEAGE, &lin, &al);
    assert_eq!(contract.as_object().expect("object").len(), 6);
}

#[test]
fn strengths_render_what_they_assert() {
    let one_of = Strength::OneOf(&[("a", "V639"), ("b", "V-latest")]);
    let r = |s, v: Value| render(Tier::Contract, s, &v);
    assert_eq!(
        r(one_of, json!("b")),
        Some(json!("<one of a (V639) | b (V-latest)>"))
    );
    assert_eq!(r(one_of, json!("c")), Some(json!("c")));
    assert_eq!(
        r(Strength::Present, json!({"x": 1})),
        Some(json!("<present>"))
    );
    assert_eq!(r(Strength::Present, Value::Null), Some(Value::Null));
    assert_eq!(r(Strength::NonEmpty, json!([])), Some(json!([])));
    assert_eq!(r(Strength::Ignored, json!(1)), None);
    assert_eq!(
        r(Strength::Timestamp("§"), json!("x")),
        Some(json!("not RFC3339: x"))
    );
    let data = r(Strength::Exact("§"), json!({"b": 1, "a": {"d": 2, "c": 3}}));
    assert_eq!(
        serde_json::to_string(&data).expect("json"),
        r#"{"a":{"c":3,"d":2},"b":1}"#
    );
}

#[test]
fn patterns_match_placeholders_and_prefixes() {
    assert!(matches("agent '<node>' not found", "agent '' not found"));
    assert!(!matches("execution <id> not found", "execution not found"));
    assert_eq!(
        text_strength("failed to update execution: x", Strength::NonEmpty),
        Strength::Prefix("failed to update execution: ", "agent-protocol §3.3")
    );
    assert_eq!(text_strength("boom", Strength::Present), Strength::Present);
}

#[test]
fn every_field_has_a_cited_strength() {
    for f in LINEAGE
        .iter()
        .chain(GOLDEN)
        .chain(REUSE)
        .chain(PROVENANCE)
        .chain(ANSWER)
        .chain(STATUS_VIEW)
        .chain(RUN_SUMMARY)
        .chain(READ)
        .chain(MEMORY_ENTRY)
    {
        if let Rule::Is(Strength::Exact(cite) | Strength::Timestamp(cite)) = f.rule {
            assert!(!cite.is_empty(), "{} has no citation", f.name);
        }
    }
    for (pattern, cite) in TEXTS {
        assert!(!cite.is_empty() && !pattern.is_empty());
    }
}

#[test]
fn a_tier_is_named_or_refused() {
    assert_eq!(Tier::named("").ok(), Some(Tier::Contract));
    assert_eq!(Tier::named(" fidelity ").ok(), Some(Tier::Fidelity));
    assert_eq!(Tier::named("contract").ok(), Some(Tier::Contract));
    let refused = Tier::named("exact").expect_err("not a tier");
    assert!(refused.to_string().contains("\"exact\""), "{refused}");
    assert_eq!(Tier::Fidelity.as_str(), "fidelity");
}

/// Lenient rendering only shows when a value does NOT meet its strength,
/// which a passing suite never has: each such value must render raw, so the
/// golden's diff names it.
#[test]
fn a_value_that_misses_its_strength_renders_raw() {
    let r = |t, s, v: Value| render(t, s, &v);
    let c = Tier::Contract;
    for empty in [json!(""), json!([]), json!({}), Value::Null] {
        assert_eq!(r(c, Strength::NonEmpty, empty.clone()), Some(empty));
    }
    for full in [
        json!("x"),
        json!([1]),
        json!({"a": 1}),
        json!(0),
        json!(false),
    ] {
        assert_eq!(r(c, Strength::NonEmpty, full), Some(json!("<non-empty>")));
    }
    for there in [json!(""), json!(0), json!(false), json!([])] {
        assert_eq!(r(c, Strength::Present, there), Some(json!("<present>")));
    }
    let prefix = Strength::Prefix("invalid request body: ", "§1.2");
    assert_eq!(r(c, prefix, json!("EOF")), Some(json!("EOF")));
    assert_eq!(r(c, prefix, json!(3)), Some(json!(3)));
    let placeholder = Strength::Prefix("agent error (<status>): ", "§3.4");
    assert_eq!(
        r(c, placeholder, json!("agent error (502): boom")),
        Some(json!("<prefix \"agent error (502): \">"))
    );
    assert_eq!(
        r(c, placeholder, json!("agent error 502")),
        Some(json!("agent error 502"))
    );
    let at = "2026-01-02T03:04:05Z";
    assert_eq!(
        r(c, Strength::Timestamp("§"), json!(at)),
        Some(json!("<rfc3339>"))
    );
    assert_eq!(r(c, Strength::Timestamp("§"), json!(5)), Some(json!(5)));
}

/// The fidelity tier shows every field as it is (timestamps as their format),
/// the ones the contract tier hides or weakens too.
#[test]
fn the_fidelity_tier_shows_every_value_exactly() {
    let f = |s, v: Value| render(Tier::Fidelity, s, &v);
    assert_eq!(f(Strength::Ignored, json!(1)), Some(json!(1)));
    assert_eq!(f(Strength::Present, json!("free")), Some(json!("free")));
    assert_eq!(f(Strength::NonEmpty, json!([2])), Some(json!([2])));
    let one_of = Strength::OneOf(&[("a", "V639")]);
    assert_eq!(f(one_of, json!("a")), Some(json!("a")));
    let at = "2026-01-02T03:04:05Z";
    assert_eq!(
        f(Strength::Timestamp("§"), json!(at)),
        Some(json!("<rfc3339>"))
    );
    assert_eq!(
        f(Strength::Timestamp("§"), json!("later")),
        Some(json!("not RFC3339: later"))
    );
    assert_eq!(
        serde_json::to_string(&f(Strength::Exact("§"), json!({"b": 1, "a": 2}))).expect("json"),
        r#"{"a":2,"b":1}"#
    );
}

/// A missing or malformed object is itself a diff; a missing field is not shown.
#[test]
fn an_object_that_is_not_one_is_shown_as_it_is() {
    let al = Aliases::default();
    for tier in [Tier::Contract, Tier::Fidelity] {
        assert_eq!(object(tier, LINEAGE, &Value::Null, &al), Value::Null);
        assert_eq!(object(tier, LINEAGE, &json!("x"), &al), json!("x"));
        let list = object(tier, LINEAGE, &json!([{"b": 1, "a": 2}]), &al);
        assert_eq!(
            serde_json::to_string(&list).expect("json"),
            r#"[{"a":2,"b":1}]"#
        );
        assert_eq!(object(tier, LINEAGE, &json!({}), &al), json!({}));
        assert_eq!(field(tier, &LINEAGE[0], &json!({"other": 1}), &al), None);
    }
}

/// A `<` without its `>` is a literal character, not a placeholder.
#[test]
fn an_unclosed_placeholder_is_literal() {
    assert!(matches("a < b", "a < b"));
    assert!(!matches("a < b", "a > b"));
    assert_eq!(prefix_len("a < b", "a < b, c"), Some(5));
    assert_eq!(prefix_len("a < b", "a > b"), None);
    assert_eq!(prefix_len("x <y> z", "x 12 z!"), Some(6));
    assert_eq!(prefix_len("x <y> z", "x 12 w"), None);
}

/// `AFC_TIER` selects the tier. Read in a child process of this test binary,
/// so no test running beside it ever sees the variable.
#[test]
fn the_tier_comes_from_afc_tier() {
    const NAME: &str = "observe::normative::tests::the_tier_comes_from_afc_tier";
    if std::env::var_os("AFC_TIER_CHILD").is_some() {
        assert_eq!(Tier::from_env().ok(), Some(Tier::Fidelity));
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let out = std::process::Command::new(exe)
        .args(["--exact", NAME, "--test-threads", "1"])
        .env("AFC_TIER", "fidelity")
        .env("AFC_TIER_CHILD", "1")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child saw another tier: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
