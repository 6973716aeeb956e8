//! The one switch between the golden tiers (`observe::Tier`): the contract
//! tier by default, the v0.1.96 fidelity tier on request.

use crate::observe::Tier;

/// The tier set by [`set_tier`]: 0 none (the environment's), 1 contract, 2 fidelity.
static TIER: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// The one switch between the tiers: the tier the goldens are compared at.
/// `afc run --tier` and `afc report --fidelity` set it ([`set_tier`]); else
/// `AFC_TIER`, the contract tier when unset. The entry points (`afc run`, the
/// scenarios test) refuse a value that names no tier before any scenario runs.
pub fn tier() -> Tier {
    match TIER.load(std::sync::atomic::Ordering::SeqCst) {
        1 => Tier::Contract,
        2 => Tier::Fidelity,
        _ => Tier::from_env().unwrap_or_default(),
    }
}

/// Sets the tier for the runs that follow (`None`: `AFC_TIER` again).
pub fn set_tier(tier: Option<Tier>) {
    let n = match tier {
        None => 0,
        Some(Tier::Contract) => 1,
        Some(Tier::Fidelity) => 2,
    };
    TIER.store(n, std::sync::atomic::Ordering::SeqCst);
}
