//! The in-memory store's own promises, beyond the store contract that
//! `store/tests.rs` runs on every backend.

use super::*;
use crate::reference::store::tests::{
    fail, insert, leaving_succeeded_drops_the_row_from_the_index, succeed,
};

#[test]
fn a_row_that_left_the_index_leaves_no_empty_entry_behind() {
    let store = InMemoryStore::new();
    leaving_succeeded_drops_the_row_from_the_index(&store);
    assert!(store.replay_index_is_empty());
    insert(&store, "b", "{}");
    succeed(&store, "b", b"{}");
    assert!(!store.replay_index_is_empty(), "the check can see an entry");
    fail(&store, "b");
    assert!(store.replay_index_is_empty());
}
